// Lists with a maximum length, reported as the API server reports it (field.TooMany).
import { z } from 'zod';
import { tooMany } from '../../validation/field-errors.ts';
import { addIssue } from '../issues.ts';

export function listOf<T extends z.ZodType>(item: T, max: number) {
  return z.array(item).superRefine((items, ctx) => {
    if (items.length > max) addIssue(ctx, [], tooMany(items.length, max));
  });
}

/** A list that, when given, must hold at least one item (kubebuilder MinItems=1). */
export function nonEmptyListOf<T extends z.ZodType>(item: T, max: number) {
  return listOf(item, max).superRefine((items, ctx) => {
    if (items.length === 0) addIssue(ctx, [], 'Required value: must have at least one item');
  });
}

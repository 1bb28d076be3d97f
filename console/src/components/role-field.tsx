// The role a key or an invitation gets: one list, so a role the API adds shows up in every form.
import type { Role } from '../client/types.ts';
import { Field } from './field.tsx';

const ROLES: Role[] = ['viewer', 'editor', 'admin', 'owner'];

export function RoleField(props: { id: string; value: Role; onChange: (role: Role) => void }) {
  return (
    <Field id={props.id} label="Role">
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value as Role)}>
        {ROLES.map((option) => (
          <option key={option}>{option}</option>
        ))}
      </select>
    </Field>
  );
}

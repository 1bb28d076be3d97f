// The control plane image (infra/docker/Dockerfile, target control-plane) built from the repository at
// deploy time for arm64 Fargate. One image for every role: API/delivery server, worker, migrations and
// key rotation differ only by command and environment. Synth only fingerprints the sources.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { aws_ecr_assets as ecrAssets, aws_ecs as ecs, IgnoreMode } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { REPOSITORY_ROOT } from './settings.ts';

const DOCKERFILE = 'infra/docker/Dockerfile';

/** The same trimming as a plain `docker build` gets from the Dockerfile's own ignore file. */
function dockerIgnorePatterns(): string[] {
  return readFileSync(join(REPOSITORY_ROOT, `${DOCKERFILE}.dockerignore`), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

export class ControlPlaneImage extends Construct {
  readonly asset: ecrAssets.DockerImageAsset;
  readonly image: ecs.ContainerImage;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.asset = new ecrAssets.DockerImageAsset(this, 'Asset', {
      directory: REPOSITORY_ROOT,
      file: DOCKERFILE,
      target: 'control-plane',
      platform: ecrAssets.Platform.LINUX_ARM64,
      exclude: dockerIgnorePatterns(),
      ignoreMode: IgnoreMode.DOCKER,
    });
    this.image = ecs.ContainerImage.fromDockerImageAsset(this.asset);
  }
}

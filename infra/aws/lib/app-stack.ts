// The stateless half: the API function, the delivery and worker services, migrations, key rotation,
// the console and the alarms, all taking the data stack's resources by reference. Everything here can
// be replaced at every deploy; the order of a deploy is in migrations.ts.
import { aws_ecs as ecs, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Alarms } from './alarms.ts';
import { Api } from './api.ts';
import { Console } from './console.ts';
import { ControlPlaneImage } from './control-plane-image.ts';
import type { DataStack } from './data-stack.ts';
import { Delivery } from './delivery.ts';
import { KeyRotation } from './key-rotation.ts';
import { Migrations } from './migrations.ts';
import { Worker } from './worker.ts';

export interface AppStackProps extends StackProps {
  data: DataStack;
  apiBundleDir: string;
  agentCertificateArn: string | undefined;
  alarmEmail: string | undefined;
}

export class AppStack extends Stack {
  readonly api: Api;
  readonly delivery: Delivery;
  readonly worker: Worker;
  readonly migrations: Migrations;
  readonly keyRotation: KeyRotation;
  readonly console: Console;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { data } = props;
    const vpc = data.network.vpc;
    const signingKeys = data.signingKeys.secret;
    const image = new ControlPlaneImage(this, 'ControlPlaneImage');
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });

    this.api = new Api(this, 'Api', { vpc, bundleDir: props.apiBundleDir, database: data.database, signingKeys });
    this.delivery = new Delivery(this, 'Delivery', {
      vpc,
      cluster,
      image: image.image,
      database: data.database,
      signingKeys,
      certificateArn: props.agentCertificateArn,
    });
    this.worker = new Worker(this, 'Worker', { vpc, cluster, image: image.image, database: data.database, queueCache: data.queueCache, signingKeys });
    this.migrations = new Migrations(this, 'Migrations', {
      vpc,
      cluster,
      image: image.asset,
      containerImage: image.image,
      database: data.database,
      before: [this.api.function, this.delivery.service, this.worker.service],
    });
    this.keyRotation = new KeyRotation(this, 'KeyRotation', { vpc, cluster, image: image.image, signingKeys });
    this.console = new Console(this, 'Console', { httpApi: this.api.httpApi });
    this.alarms = new Alarms(this, 'Alarms', {
      api: this.api,
      delivery: this.delivery,
      worker: this.worker,
      cluster: data.database.cluster,
      cache: data.queueCache.cache,
      email: props.alarmEmail,
    });
  }
}

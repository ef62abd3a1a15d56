/**
 * The real grant workflow for integration suites of other services: a worker in the test
 * process on the suite's task-queue prefix, with the grant-worker's own activities publishing
 * to grants.state.v1. It runs the prebuilt bundle when one exists (built once per test run by
 * the integration globalSetup), else bundles from source.
 */
import {
  createGrantStateActivities,
  createGrantWorker,
  prebuiltGrantWorkflowBundle,
} from '@lapse/grant-runtime';
import { JsonProducer } from '@lapse/kafka';
import { kafkaAs, stack, stackTemporalSettings } from '@lapse/testing';
import { connectTemporalWorker } from '@lapse/temporal';

export interface RunningGrantWorker {
  stop: () => Promise<void>;
}

export async function startGrantWorker(opts: {
  taskQueuePrefix: string;
  clientId: string;
}): Promise<RunningGrantWorker> {
  const producer = new JsonProducer(kafkaAs('grant-worker', opts.clientId));
  const connection = await connectTemporalWorker(stackTemporalSettings());
  const worker = await createGrantWorker({
    connection,
    namespace: stack.temporalNamespace,
    taskQueuePrefix: opts.taskQueuePrefix,
    bundle: prebuiltGrantWorkflowBundle(),
    activities: createGrantStateActivities({
      publish: (topic, key, value) => producer.send(topic, [{ key, value }]),
    }),
  });
  const running = worker.run();
  return {
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
      await producer.disconnect();
    },
  };
}

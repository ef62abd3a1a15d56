import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { signProxyToken } from '@lapse/auth';
import { TOPICS, grantKey } from '@lapse/contracts';
import { JsonProducer, type KafkaSecurity } from '@lapse/kafka';
import { waitFor, kafkaAs, kafkaSecurityAs, stack } from '@lapse/testing';
import {
  SERVICE_SECRET,
  bootApp,
  createHarness,
  grantRecord,
  publishGrants,
  type Harness,
} from '../testing/integration';

/**
 * Rule 16 against the real broker: only the grant worker's principal writes grants.state.v1. A
 * record forged to keep a grant alive (the attack: ACTIVE with a huge version) is refused by the
 * broker when sent with no credentials, by a proxy, or by another service, and the decision
 * stays what the genuine record says. A proxy cannot read access requests either.
 */
describe('Kafka principals and ACLs (rule 16)', () => {
  let h: Harness;
  let app: INestApplication;
  let url: string;
  let token: string;
  // Ids are UUIDs, as in every Lapse event; `name` only documents the call site.
  const ids = (_name: string) => ({ userId: randomUUID(), resourceId: randomUUID() });
  const decisionOf = async (userId: string, resourceId: string) =>
    (await (
      await fetch(`${url}/v1/decisions?userId=${userId}&resourceId=${resourceId}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { state: string; allowed: boolean };
  /** A client that gives up at once (no retries): a refusal shows as an error, not a wait. */
  const client = (clientId: string, security?: Partial<KafkaSecurity>) =>
    new Kafka({
      clientId,
      brokers: stack.kafkaBrokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3000,
      authenticationTimeout: 3000,
      retry: { retries: 0 },
      ...(security?.caFile ? { ssl: { ca: [readFileSync(security.caFile, 'utf8')] } } : {}),
      ...(security?.username
        ? {
            sasl: {
              mechanism: 'scram-sha-512',
              username: security.username,
              password: security.password as string,
            },
          }
        : {}),
    });
  const forge = async (kafka: Kafka, userId: string, resourceId: string) => {
    const producer = kafka.producer({ retry: { retries: 0 } });
    try {
      await producer.connect();
      await producer.send({
        topic: TOPICS.grantState,
        acks: -1,
        messages: [
          {
            key: grantKey({ userId, resourceId }),
            value: JSON.stringify(grantRecord(userId, resourceId, 'ACTIVE', 900_000_000)),
          },
        ],
      });
      return 'accepted';
    } catch (e) {
      return `refused: ${(e as Error).name} ${(e as Error).message}`;
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  };

  beforeAll(async () => {
    expect(process.env.KAFKA_SECURITY_PROTOCOL).toBe('SASL_SSL');
    h = await createHarness('access_tracking_acl');
    ({ app, url } = await bootApp(h.config()));
    token = await signProxyToken(SERVICE_SECRET, 'acl-test');
  });

  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  it('a forged grants.state.v1 record is refused with no credentials, from a proxy and from another service; decisions unchanged', async () => {
    const { userId, resourceId } = ids('locked');
    await publishGrants(h.producer, [grantRecord(userId, resourceId, 'LOCKED', 1)]);
    await waitFor(
      async () => ((await decisionOf(userId, resourceId)).state === 'LOCKED' ? true : undefined),
      { what: 'the genuine LOCKED record' },
    );

    const ca = kafkaSecurityAs('ops')?.caFile as string;
    const plaintext = client(`forger-plain-${h.suffix}`);
    const tlsOnly = client(`forger-tls-${h.suffix}`, { protocol: 'SSL', caFile: ca });
    const wrongPassword = client(`forger-guess-${h.suffix}`, {
      protocol: 'SASL_SSL',
      caFile: ca,
      username: 'grant-worker',
      password: 'guessed',
    });
    const proxy = client(`forger-proxy-${h.suffix}`, kafkaSecurityAs('proxy'));
    const requests = client(`forger-requests-${h.suffix}`, kafkaSecurityAs('requests'));
    const outcomes = {
      plaintext: await forge(plaintext, userId, resourceId),
      tlsWithoutCredentials: await forge(tlsOnly, userId, resourceId),
      wrongPassword: await forge(wrongPassword, userId, resourceId),
      proxy: await forge(proxy, userId, resourceId),
      requests: await forge(requests, userId, resourceId),
    };
    for (const [who, outcome] of Object.entries(outcomes))
      expect({ who, outcome: outcome.slice(0, 8) }).toEqual({ who, outcome: 'refused:' });
    expect(outcomes.proxy).toMatch(/not authorized|authorization/i);
    expect(outcomes.requests).toMatch(/not authorized|authorization/i);
    expect(outcomes.wrongPassword).toMatch(/SASL|authentication/i);

    // A genuine record published after the attempts is seen; the forged pair is still LOCKED.
    const marker = ids('marker');
    await publishGrants(h.producer, [grantRecord(marker.userId, marker.resourceId, 'ACTIVE', 1)]);
    await waitFor(
      async () => ((await decisionOf(marker.userId, marker.resourceId)).allowed ? true : undefined),
      { what: 'the marker record' },
    );
    expect(await decisionOf(userId, resourceId)).toMatchObject({ state: 'LOCKED', allowed: false });
  });

  it('the proxy principal cannot read access-requests.v1 (the operator can)', async () => {
    const readAs = async (principal: 'proxy' | 'ops') => {
      const consumer = kafkaAs(principal, `acl-reader-${principal}-${h.suffix}`).consumer({
        groupId: `acl-reader-${principal}-${h.suffix}`,
        retry: { retries: 0 },
      });
      const crashed = new Promise<string>((resolve) =>
        consumer.on(consumer.events.CRASH, (e) => resolve(`refused: ${String(e.payload.error)}`)),
      );
      let read: (v: string) => void = () => undefined;
      const got = new Promise<string>((resolve) => (read = resolve));
      try {
        await consumer.connect();
        await consumer.subscribe({ topic: TOPICS.accessRequests, fromBeginning: true });
        await consumer.run({ eachMessage: async () => read('read a record') });
        return await Promise.race([crashed, got]);
      } catch (e) {
        return `refused: ${(e as Error).message}`;
      } finally {
        await consumer.disconnect().catch(() => undefined);
      }
    };
    // A record to read, published as the topic's owner (the requests service).
    await h.producer.send(TOPICS.accessRequests, [
      { key: `acl-${h.suffix}`, value: { marker: true } },
    ]);
    expect(await readAs('proxy')).toMatch(/^refused: .*(not authorized|authorization)/i);
    expect(await readAs('ops')).toBe('read a record');
  });

  it('each service writes its own topic: the grant worker grant states, a proxy usage', async () => {
    const p = new JsonProducer(kafkaAs('proxy', `acl-usage-${h.suffix}`));
    try {
      const { userId, resourceId } = ids('usage');
      await expect(
        p.send(TOPICS.usage, [
          {
            key: grantKey({ userId, resourceId }),
            value: { userId, resourceId, occurredAt: new Date().toISOString() },
          },
        ]),
      ).resolves.toBeUndefined();
    } finally {
      await p.disconnect();
    }
  });
});

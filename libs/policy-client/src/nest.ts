import { Global, Module, type DynamicModule } from '@nestjs/common';
import { PolicyClient } from './policy-client';

/** The settings a service's validated config gives its policy client. */
export interface PolicyClientConfig {
  LAPSE_POLICY_URL: string;
  LAPSE_SERVICE_SECRET?: string;
  /** Default answer reuse (requests reads the same users and resources for every list). */
  LAPSE_POLICY_CACHE_MS?: number;
}

/** The policy client of `service` (its service tokens' `svc`) for `config`. */
export function policyClientOf(config: PolicyClientConfig, service: string): PolicyClient {
  const serviceSecret = config.LAPSE_SERVICE_SECRET;
  if (!serviceSecret) throw new Error('LAPSE_SERVICE_SECRET must be set');
  return new PolicyClient({
    baseUrl: config.LAPSE_POLICY_URL,
    serviceSecret,
    service,
    cacheMs: config.LAPSE_POLICY_CACHE_MS ?? 0,
  });
}

/** Makes one `PolicyClient` (one cache) injectable everywhere in a service. */
@Global()
@Module({})
export class PolicyClientModule {
  static forRoot(client: PolicyClient): DynamicModule {
    return {
      module: PolicyClientModule,
      providers: [{ provide: PolicyClient, useValue: client }],
      exports: [PolicyClient],
    };
  }
}

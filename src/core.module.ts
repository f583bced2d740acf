import { DynamicModule, Global, Module, Provider } from '@nestjs/common';

/**
 * Global ports and configuration (AppConfig, Clock, FileStore …). Later providers with the same token win,
 * which is how tests bind fakes without patching.
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot(providers: Provider[]): DynamicModule {
    const byToken = new Map<unknown, Provider>();
    for (const p of providers) byToken.set(typeof p === 'function' ? p : p.provide, p);
    const list = [...byToken.values()];
    return {
      module: CoreModule,
      providers: list,
      exports: list.map((p) => (typeof p === 'function' ? p : p.provide)),
    };
  }
}

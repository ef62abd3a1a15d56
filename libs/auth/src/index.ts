export * from './tokens';
export * from './principal';
export * from './decorators';
export * from './auth.guard';
export * from './auth.module';
export * from './session-token';

export * from './time';
export * from './policy';
export * from './validation';
export * from './deadlines';
export * from './role-rules';
export * from './duration-text';

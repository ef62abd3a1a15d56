import { SetMetadata } from '@nestjs/common';

export const PUBLIC_KEY = 'lapse:public';
/** No token needed (health, metrics, docs); the auth guard lets these through. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

import { INestApplicationContext } from '@nestjs/common';
import { AppConfig } from '@/config/app.config';

export async function seedDemo(_app: INestApplicationContext, _config: AppConfig): Promise<void> {}

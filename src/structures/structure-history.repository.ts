import { Injectable } from '@nestjs/common';
import { DataSource, DeepPartial, EntityManager } from 'typeorm';
import { StructureEntity } from '@/structures/structure.entity';
import { StructureHistoryEntity } from '@/structures/structure-history.entity';

@Injectable()
export class StructureHistoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The structure and its services, its row locked until the end of `em`'s transaction (one sync at a time). */
  async lockWithServices(em: EntityManager, structureId: string): Promise<StructureEntity | null> {
    await em.query(`SELECT id FROM structures WHERE id = $1 FOR UPDATE`, [structureId]);
    return em.getRepository(StructureEntity).findOne({ where: { id: structureId }, relations: { services: true } });
  }

  async add(em: EntityManager, rows: Array<Partial<StructureHistoryEntity>>): Promise<void> {
    if (rows.length) await em.getRepository(StructureHistoryEntity).save(rows as Array<DeepPartial<StructureHistoryEntity>>);
  }

  recent(structureId: string, limit: number): Promise<StructureHistoryEntity[]> {
    return this.dataSource.getRepository(StructureHistoryEntity).find({ where: { structureId }, order: { id: 'DESC' }, take: limit });
  }
}

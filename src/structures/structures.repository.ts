import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { StructureServiceEntity } from '@/structures/structure-service.entity';
import { StructureEntity } from '@/structures/structure.entity';

@Injectable()
export class StructuresRepository {
  constructor(private readonly dataSource: DataSource) {}

  findAll(): Promise<StructureEntity[]> {
    return this.dataSource.getRepository(StructureEntity).find({
      relations: { services: true },
      order: { name: 'ASC', services: { code: 'ASC' } },
    });
  }

  findBySiret(siret: string, em: EntityManager = this.dataSource.manager): Promise<StructureEntity | null> {
    return em.getRepository(StructureEntity).findOne({ where: { siret }, relations: { services: true } });
  }

  findById(id: string): Promise<StructureEntity | null> {
    return this.dataSource.getRepository(StructureEntity).findOne({ where: { id }, relations: { services: true } });
  }

  async save(em: EntityManager, structure: Partial<StructureEntity>): Promise<StructureEntity> {
    return em.getRepository(StructureEntity).save(structure);
  }

  async upsertService(em: EntityManager, structureId: string, code: string, label: string, active: boolean): Promise<void> {
    await em
      .createQueryBuilder()
      .insert()
      .into(StructureServiceEntity)
      .values({ structureId, code, label, active })
      .orUpdate(['label', 'active'], ['structure_id', 'code'])
      .execute();
  }
}

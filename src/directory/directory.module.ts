import { Module } from '@nestjs/common';
import { DirectoryController } from '@/directory/directory.controller';
import { DirectoryImportService } from '@/directory/directory-import.service';
import { DirectoryService } from '@/directory/directory.service';

/** Directory of public structures (« annuaire » Chorus Pro): CSV/ZIP import here, API sync by the Chorus Pro client. */
@Module({
  providers: [DirectoryService, DirectoryImportService],
  controllers: [DirectoryController],
  exports: [DirectoryService, DirectoryImportService],
})
export class DirectoryModule {}

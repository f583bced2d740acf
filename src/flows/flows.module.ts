import { Module } from '@nestjs/common';
import { AnomalyReportService } from '@/flows/anomaly-report.service';
import { FlowsController } from '@/flows/flows.controller';
import { FlowsService } from '@/flows/flows.service';

@Module({
  providers: [FlowsService, AnomalyReportService],
  controllers: [FlowsController],
  exports: [FlowsService, AnomalyReportService],
})
export class FlowsModule {}

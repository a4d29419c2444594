ALTER TABLE `agents` ADD `reconcile_at` integer;--> statement-breakpoint
CREATE INDEX `agents_reconcile_idx` ON `agents` (`reconcile_at`);--> statement-breakpoint
UPDATE `agents` SET `reconcile_at` = `checkin_deadline_at` WHERE `checkin_deadline_at` IS NOT NULL;

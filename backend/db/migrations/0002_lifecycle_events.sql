CREATE TABLE `lifecycle_events` (
	`id` text PRIMARY KEY NOT NULL,
	`event` text NOT NULL,
	`agent_id` text,
	`message` text NOT NULL,
	`data` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `lifecycle_events_agent_idx` ON `lifecycle_events` (`agent_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `lifecycle_events_event_idx` ON `lifecycle_events` (`event`,`created_at`);
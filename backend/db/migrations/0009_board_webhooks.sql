CREATE TABLE `board_webhook_payloads` (
	`id` text PRIMARY KEY NOT NULL,
	`board_id` text NOT NULL,
	`webhook_id` text NOT NULL,
	`payload` text,
	`headers` text,
	`source_ip` text,
	`content_type` text,
	`received_at` integer NOT NULL,
	FOREIGN KEY (`board_id`) REFERENCES `boards`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`webhook_id`) REFERENCES `board_webhooks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `board_webhook_payloads_webhook_idx` ON `board_webhook_payloads` (`webhook_id`,`received_at`);--> statement-breakpoint
CREATE TABLE `board_webhooks` (
	`id` text PRIMARY KEY NOT NULL,
	`board_id` text NOT NULL,
	`agent_id` text,
	`description` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`secret` text,
	`signature_header` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`board_id`) REFERENCES `boards`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `board_webhooks_board_idx` ON `board_webhooks` (`board_id`);
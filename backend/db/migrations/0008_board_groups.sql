CREATE TABLE `board_group_memory` (
	`id` text PRIMARY KEY NOT NULL,
	`board_group_id` text NOT NULL,
	`content` text NOT NULL,
	`tags` text,
	`is_chat` integer DEFAULT false NOT NULL,
	`source` text,
	`author` text DEFAULT 'user' NOT NULL,
	`author_agent_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`board_group_id`) REFERENCES `board_groups`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `board_group_memory_group_idx` ON `board_group_memory` (`board_group_id`,`is_chat`,`created_at`);--> statement-breakpoint
CREATE TABLE `board_groups` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`description` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `board_groups_slug_idx` ON `board_groups` (`slug`);--> statement-breakpoint
ALTER TABLE `boards` ADD `board_group_id` text REFERENCES board_groups(id) ON DELETE set null;
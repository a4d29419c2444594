CREATE TABLE `board_onboarding_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`board_id` text NOT NULL,
	`session_key` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`messages` text,
	`draft_goal` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`board_id`) REFERENCES `boards`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `board_onboarding_sessions_board_id_unique` ON `board_onboarding_sessions` (`board_id`);
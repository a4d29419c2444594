CREATE TABLE `template_drift_memory` (
	`agent_id` text PRIMARY KEY NOT NULL,
	`checked_at` integer NOT NULL,
	`source` text NOT NULL,
	`fingerprint` text NOT NULL,
	`token` text,
	`files_changed` text,
	`error` text,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE cascade
);

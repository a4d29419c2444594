CREATE TABLE `activity_events` (
	`id` text PRIMARY KEY NOT NULL,
	`event_type` text NOT NULL,
	`message` text,
	`agent_id` text,
	`task_id` text,
	`board_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`board_id`) REFERENCES `boards`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `activity_created_idx` ON `activity_events` (`created_at`);--> statement-breakpoint
CREATE INDEX `activity_task_idx` ON `activity_events` (`task_id`,`event_type`,`created_at`);--> statement-breakpoint
CREATE INDEX `activity_board_idx` ON `activity_events` (`board_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `activity_agent_idx` ON `activity_events` (`agent_id`);--> statement-breakpoint
CREATE TABLE `agent_auth_failures` (
	`key` text PRIMARY KEY NOT NULL,
	`token_prefix` text NOT NULL,
	`agent_id` text,
	`reason` text NOT NULL,
	`count` integer NOT NULL,
	`first_at` integer NOT NULL,
	`last_at` integer NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `agent_auth_failures_agent_idx` ON `agent_auth_failures` (`agent_id`);--> statement-breakpoint
CREATE INDEX `agent_auth_failures_last_idx` ON `agent_auth_failures` (`last_at`);--> statement-breakpoint
CREATE TABLE `agent_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`agent_id` text NOT NULL,
	`kind` text NOT NULL,
	`message` text NOT NULL,
	`deliver` integer DEFAULT false NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`board_id` text,
	`task_id` text,
	`created_at` integer NOT NULL,
	`sent_at` integer,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`board_id`) REFERENCES `boards`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `agent_messages_status_idx` ON `agent_messages` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `agent_messages_agent_idx` ON `agent_messages` (`agent_id`);--> statement-breakpoint
CREATE TABLE `agents` (
	`id` text PRIMARY KEY NOT NULL,
	`board_id` text,
	`gateway_id` text NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'provisioning' NOT NULL,
	`openclaw_session_id` text,
	`agent_token_hash` text,
	`heartbeat_config` text,
	`identity_profile` text,
	`identity_template` text,
	`soul_template` text,
	`provision_requested_at` integer,
	`provision_action` text,
	`last_seen_at` integer,
	`lifecycle_generation` integer DEFAULT 0 NOT NULL,
	`wake_attempts` integer DEFAULT 0 NOT NULL,
	`last_wake_sent_at` integer,
	`checkin_deadline_at` integer,
	`last_provision_error` text,
	`is_board_lead` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`board_id`) REFERENCES `boards`(`id`) ON UPDATE no action ON DELETE restrict,
	FOREIGN KEY (`gateway_id`) REFERENCES `gateways`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agents_token_hash_uq` ON `agents` (`agent_token_hash`);--> statement-breakpoint
CREATE INDEX `agents_board_idx` ON `agents` (`board_id`);--> statement-breakpoint
CREATE INDEX `agents_gateway_idx` ON `agents` (`gateway_id`);--> statement-breakpoint
CREATE INDEX `agents_deadline_idx` ON `agents` (`checkin_deadline_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `agents_one_lead_per_board_uq` ON `agents` (`board_id`) WHERE is_board_lead = 1;--> statement-breakpoint
CREATE UNIQUE INDEX `agents_one_main_per_gateway_uq` ON `agents` (`gateway_id`) WHERE board_id IS NULL;--> statement-breakpoint
CREATE TABLE `approval_task_links` (
	`id` text PRIMARY KEY NOT NULL,
	`approval_id` text NOT NULL,
	`task_id` text NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`approval_id`) REFERENCES `approvals`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `approval_task_links_uq` ON `approval_task_links` (`approval_id`,`task_id`);--> statement-breakpoint
CREATE INDEX `approval_task_links_task_idx` ON `approval_task_links` (`task_id`);--> statement-breakpoint
CREATE TABLE `approvals` (
	`id` text PRIMARY KEY NOT NULL,
	`board_id` text NOT NULL,
	`task_id` text,
	`agent_id` text,
	`action_type` text NOT NULL,
	`payload` text,
	`confidence` real NOT NULL,
	`rubric_scores` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`created_at` integer NOT NULL,
	`resolved_at` integer,
	FOREIGN KEY (`board_id`) REFERENCES `boards`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `approvals_board_idx` ON `approvals` (`board_id`,`status`);--> statement-breakpoint
CREATE INDEX `approvals_task_idx` ON `approvals` (`task_id`);--> statement-breakpoint
CREATE TABLE `board_memory` (
	`id` text PRIMARY KEY NOT NULL,
	`board_id` text NOT NULL,
	`content` text NOT NULL,
	`tags` text,
	`is_chat` integer DEFAULT false NOT NULL,
	`source` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`board_id`) REFERENCES `boards`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `board_memory_board_idx` ON `board_memory` (`board_id`,`is_chat`,`created_at`);--> statement-breakpoint
CREATE TABLE `boards` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`gateway_id` text,
	`board_type` text DEFAULT 'goal' NOT NULL,
	`objective` text,
	`success_metrics` text,
	`target_date` integer,
	`goal_confirmed` integer DEFAULT false NOT NULL,
	`goal_source` text,
	`require_approval_for_done` integer DEFAULT true NOT NULL,
	`require_review_before_done` integer DEFAULT false NOT NULL,
	`comment_required_for_review` integer DEFAULT false NOT NULL,
	`block_status_changes_with_pending_approval` integer DEFAULT false NOT NULL,
	`only_lead_can_change_status` integer DEFAULT false NOT NULL,
	`max_agents` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`gateway_id`) REFERENCES `gateways`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE INDEX `boards_gateway_idx` ON `boards` (`gateway_id`);--> statement-breakpoint
CREATE INDEX `boards_slug_idx` ON `boards` (`slug`);--> statement-breakpoint
CREATE TABLE `gateways` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`token` text,
	`workspace_root` text NOT NULL,
	`disable_device_pairing` integer DEFAULT false NOT NULL,
	`allow_insecure_tls` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `retired_agent_tokens` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`agent_id` text NOT NULL,
	`retired_at` integer NOT NULL,
	FOREIGN KEY (`agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `retired_agent_tokens_agent_idx` ON `retired_agent_tokens` (`agent_id`);--> statement-breakpoint
CREATE TABLE `tag_assignments` (
	`id` text PRIMARY KEY NOT NULL,
	`task_id` text NOT NULL,
	`tag_id` text NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`tag_id`) REFERENCES `tags`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tag_assignments_uq` ON `tag_assignments` (`task_id`,`tag_id`);--> statement-breakpoint
CREATE INDEX `tag_assignments_tag_idx` ON `tag_assignments` (`tag_id`);--> statement-breakpoint
CREATE TABLE `tags` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`color` text DEFAULT '9e9e9e' NOT NULL,
	`description` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tags_slug_uq` ON `tags` (`slug`);--> statement-breakpoint
CREATE TABLE `task_dependencies` (
	`id` text PRIMARY KEY NOT NULL,
	`board_id` text NOT NULL,
	`task_id` text NOT NULL,
	`depends_on_task_id` text NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`board_id`) REFERENCES `boards`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`depends_on_task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "task_dependencies_not_self" CHECK("task_dependencies"."task_id" <> "task_dependencies"."depends_on_task_id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX `task_dependencies_uq` ON `task_dependencies` (`task_id`,`depends_on_task_id`);--> statement-breakpoint
CREATE INDEX `task_dependencies_dep_idx` ON `task_dependencies` (`depends_on_task_id`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`board_id` text NOT NULL,
	`title` text NOT NULL,
	`description` text,
	`status` text DEFAULT 'inbox' NOT NULL,
	`priority` text DEFAULT 'medium' NOT NULL,
	`due_at` integer,
	`in_progress_at` integer,
	`previous_in_progress_at` integer,
	`created_by_user_id` text,
	`assigned_agent_id` text,
	`auto_created` integer DEFAULT false NOT NULL,
	`auto_reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`board_id`) REFERENCES `boards`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`assigned_agent_id`) REFERENCES `agents`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `tasks_board_idx` ON `tasks` (`board_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `tasks_status_idx` ON `tasks` (`status`);--> statement-breakpoint
CREATE INDEX `tasks_assignee_idx` ON `tasks` (`assigned_agent_id`);
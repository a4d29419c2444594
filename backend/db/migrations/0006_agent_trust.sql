ALTER TABLE `board_memory` ADD `author` text DEFAULT 'user' NOT NULL;--> statement-breakpoint
ALTER TABLE `board_memory` ADD `author_agent_id` text REFERENCES agents(id) ON UPDATE no action ON DELETE set null;--> statement-breakpoint
-- Rows written before the author was recorded: the user's UI sent source "user" (the API's default was "User");
-- anything else named an agent. A row an agent stored with source "user" cannot be told apart (docs/security.md).
UPDATE `board_memory` SET `author` = 'agent' WHERE `source` IS NOT NULL AND `source` NOT IN ('user', 'User');--> statement-breakpoint
-- Lifecycle states an agent set on itself through a status heartbeat (now refused): Mission Control never sets
-- `deleting`, and sets `updating` only together with `provision_action`. Back under supervision: offline until it
-- checks in again (docs/security.md, "Agents stay under supervision").
UPDATE `agents` SET `status` = 'offline' WHERE `status` = 'deleting' OR (`status` = 'updating' AND `provision_action` IS NULL);

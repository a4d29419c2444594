ALTER TABLE `gateways` ADD `device_token` text;--> statement-breakpoint
ALTER TABLE `gateways` ADD `server_version` text;--> statement-breakpoint
ALTER TABLE `gateways` ADD `protocol_version` integer;--> statement-breakpoint
ALTER TABLE `gateways` ADD `features` text;--> statement-breakpoint
ALTER TABLE `gateways` ADD `last_connected_at` integer;--> statement-breakpoint
ALTER TABLE `gateways` ADD `last_error` text;
-- Fan routing (issue 8). A release link routes a returning fan to the service they picked last
-- time (auto_route, after auto_route_delay_ms), and may order buttons by the fan's device.
ALTER TABLE links ADD COLUMN auto_route INTEGER NOT NULL DEFAULT 1;
ALTER TABLE links ADD COLUMN auto_route_delay_ms INTEGER NOT NULL DEFAULT 1500;
ALTER TABLE links ADD COLUMN device_order INTEGER NOT NULL DEFAULT 0;

-- Per-country URL overrides ({"DE":"https://…"}) and the countries a destination is hidden in
-- (["CN","RU"]), as JSON; NULL when the destination has none.
ALTER TABLE destinations ADD COLUMN country_urls TEXT;
ALTER TABLE destinations ADD COLUMN hidden_in TEXT;

-- 'auto' when the page routed a returning fan on its own, NULL for a tap.
ALTER TABLE clicks ADD COLUMN route TEXT;

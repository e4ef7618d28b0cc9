// Imported as text so the single executable carries its migrations with it.
import core from "./001-core.sql" with { type: "text" };
import admin from "./002-admin.sql" with { type: "text" };
import outbox from "./003-outbox.sql" with { type: "text" };
import analytics from "./004-analytics.sql" with { type: "text" };
import fans from "./005-fans.sql" with { type: "text" };
import routing from "./006-routing.sql" with { type: "text" };
import autofill from "./007-autofill.sql" with { type: "text" };
import release from "./008-release.sql" with { type: "text" };
import monitor from "./009-monitor.sql" with { type: "text" };
import eventIds from "./010-event-ids.sql" with { type: "text" };
import outboxKey from "./011-outbox-key.sql" with { type: "text" };
import outboxSettled from "./012-outbox-settled-index.sql" with { type: "text" };

/** Numbered migrations; position + 1 is the schema version recorded in PRAGMA user_version. */
export const migrations: readonly { name: string; sql: string }[] = [
  { name: "001-core", sql: core },
  { name: "002-admin", sql: admin },
  { name: "003-outbox", sql: outbox },
  { name: "004-analytics", sql: analytics },
  { name: "005-fans", sql: fans },
  { name: "006-routing", sql: routing },
  { name: "007-autofill", sql: autofill },
  { name: "008-release", sql: release },
  { name: "009-monitor", sql: monitor },
  { name: "010-event-ids", sql: eventIds },
  { name: "011-outbox-key", sql: outboxKey },
  { name: "012-outbox-settled-index", sql: outboxSettled },
];

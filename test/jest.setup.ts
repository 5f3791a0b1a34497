// Tests log only what they are asked to; set LOG_LEVEL to see more.
process.env.LOG_LEVEL ??= 'silent';
process.env.APOLLO_TELEMETRY_DISABLED = 'true';

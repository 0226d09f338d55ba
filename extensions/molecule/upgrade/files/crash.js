// A fault for the upgrade scenario, put at the top of a release's dist/index.js on the canary: the
// gateway process (gateway --port) throws while it loads, as a release with a broken chunk does. The
// CLI is not affected, so the release still passes its own check of the config.
if (process.argv.includes("gateway") && process.argv.includes("--port")) {
	throw new Error("clawops test fault: this release cannot start its gateway");
}

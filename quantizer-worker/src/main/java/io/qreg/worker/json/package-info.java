/**
 * JSON without a library, shared by the CLI and the daemon: a strict reader and writer, and the one map each
 * evaluation and benchmark is described by, whether printed by {@code --json} or reported to the registry.
 */
package io.qreg.worker.json;

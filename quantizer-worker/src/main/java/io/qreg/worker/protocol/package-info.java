/**
 * The worker protocol's bodies (docs/worker-protocol.md), defined once as records shared by the registry, which
 * builds them, and the worker, which reads them: each renders itself to the JSON map ({@code toJson}) and reads
 * itself from the parsed map ({@code fromJson}), refusing a member of the wrong type by name. No JSON library: the
 * maps are those of {@link io.qreg.worker.json.Json}.
 */
package io.qreg.worker.protocol;

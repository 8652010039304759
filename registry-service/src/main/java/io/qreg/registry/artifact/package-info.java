/** The artifact store: streamed, hashed uploads and the content-addressed blobs they become. */
package io.qreg.registry.artifact;

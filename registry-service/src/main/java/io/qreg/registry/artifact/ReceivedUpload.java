package io.qreg.registry.artifact;

/** A multipart upload as received: its metadata part and its staged, hashed file part. */
public record ReceivedUpload(String metadataJson, StagedFile file) {
}

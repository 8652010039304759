package io.qreg.registry.web;

import java.net.URI;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * The answer to registering one immutable version of something named (a recipe, a dataset): 201 when the version
 * is new, 200 when the same content already is that version, since repeating a registration is not an error.
 * Either way the version's own path is the {@code Location}.
 */
public final class VersionResponses {

    private VersionResponses() {
    }

    public static <T> ResponseEntity<T> registered(boolean created, String location, T version) {
        return ResponseEntity.status(created ? HttpStatus.CREATED : HttpStatus.OK).location(URI.create(location))
                .body(version);
    }
}

package io.qreg.registry.web;

import java.util.function.Supplier;

import org.springframework.http.HttpStatus;

/**
 * A failure the client can act on. It carries the HTTP status and, where one input is to blame,
 * the name of that field, so the problem detail can point at it.
 */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String field;

    public ApiException(HttpStatus status, String detail) {
        this(status, detail, null);
    }

    public ApiException(HttpStatus status, String detail, String field) {
        super(detail);
        this.status = status;
        this.field = field;
    }

    public HttpStatus status() {
        return status;
    }

    public String field() {
        return field;
    }

    public static ApiException notFound(String what, Object key) {
        return new ApiException(HttpStatus.NOT_FOUND, what + " '" + Excerpt.of(key) + "' does not exist");
    }

    public static ApiException invalid(String field, String detail) {
        return new ApiException(HttpStatus.BAD_REQUEST, detail, field);
    }

    public static ApiException unprocessable(String detail) {
        return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, detail);
    }

    public static ApiException conflict(String detail) {
        return new ApiException(HttpStatus.CONFLICT, detail);
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(HttpStatus.FORBIDDEN, detail);
    }

    /** Runs a lookup and, when it fails (a 404, say), names the request field that pointed at nothing. */
    public static <T> T naming(String field, Supplier<T> lookup) {
        try {
            return lookup.get();
        } catch (ApiException e) {
            throw new ApiException(e.status(), e.getMessage(), field);
        }
    }
}

package io.qreg.registry.web;

import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Pageable;
import org.springframework.data.domain.Sort;

/** Turns the API's {@code ?page=&size=} into a bounded page request. */
public final class Pagination {

    public static final int MAX_SIZE = 200;

    private Pagination() {
    }

    public static Pageable of(Integer page, Integer size, Sort sort) {
        int p = page == null ? 0 : page;
        int s = size == null ? 20 : size;
        if (p < 0) {
            throw ApiException.invalid("page", "page must be 0 or more, got " + p);
        }
        if (s < 1 || s > MAX_SIZE) {
            throw ApiException.invalid("size", "size must be between 1 and " + MAX_SIZE + ", got " + s);
        }
        return PageRequest.of(p, s, sort);
    }
}

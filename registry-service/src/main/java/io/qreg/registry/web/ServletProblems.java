package io.qreg.registry.web;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.MDC;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

import tools.jackson.databind.json.JsonMapper;

/**
 * An RFC 9457 problem written straight to the servlet response, for the answers given before or
 * outside Spring MVC (security filters, the database-outage filter), with the same fields as
 * {@link ApiExceptionHandler}'s: type, title, status, detail, instance, field when one is named, and
 * the request id.
 */
public final class ServletProblems {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ServletProblems() {
    }

    public static void write(HttpServletRequest request, HttpServletResponse response, HttpStatus status,
            String detail, String field) throws IOException {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", status.getReasonPhrase());
        problem.put("status", status.value());
        problem.put("detail", detail);
        problem.put("instance", request.getRequestURI());
        if (field != null) {
            problem.put("field", field);
        }
        // The filter that set it may already have returned (and cleared the MDC); the request keeps it.
        Object requestId = request.getAttribute(RequestIdFilter.MDC_KEY);
        problem.put("requestId", requestId != null ? requestId : MDC.get(RequestIdFilter.MDC_KEY));
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        JSON.writeValue(response.getOutputStream(), problem);
    }
}

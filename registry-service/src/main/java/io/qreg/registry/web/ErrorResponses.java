package io.qreg.registry.web;

import java.net.URI;
import java.util.Map;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.web.error.ErrorAttributeOptions;
import org.springframework.boot.webmvc.error.ErrorAttributes;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.servlet.ModelAndView;

import lombok.RequiredArgsConstructor;

/**
 * Errors that happen outside a controller (the container refusing a broken request body, an
 * unmapped path): problem+json for the API and machines, the error page for browsers.
 */
@Controller
@RequestMapping("/error")
@RequiredArgsConstructor
class ErrorResponses implements ErrorController {

    private final ErrorAttributes errorAttributes;

    @RequestMapping(produces = MediaType.TEXT_HTML_VALUE)
    Object html(HttpServletRequest request) {
        if (isApi(request)) {
            return problem(request);
        }
        HttpStatus status = status(request);
        // Status, error and path are opt-in like the message: without them the page cannot say which error it is.
        Map<String, Object> model = errorAttributes.getErrorAttributes(new ServletWebRequest(request),
                ErrorAttributeOptions.of(ErrorAttributeOptions.Include.MESSAGE, ErrorAttributeOptions.Include.STATUS,
                        ErrorAttributeOptions.Include.ERROR, ErrorAttributeOptions.Include.PATH));
        return new ModelAndView("error", model, status);
    }

    @RequestMapping
    ResponseEntity<ProblemDetail> problem(HttpServletRequest request) {
        HttpStatus status = status(request);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail(request, status));
        Object path = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        if (path != null) {
            problem.setInstance(URI.create(path.toString()));
        }
        problem.setProperty("requestId", request.getAttribute(RequestIdFilter.MDC_KEY));
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    private static String detail(HttpServletRequest request, HttpStatus status) {
        Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
        if (message != null && !message.toString().isBlank()) {
            return Excerpt.of(message);
        }
        return switch (status) {
            case BAD_REQUEST -> "The request could not be read completely: the body was truncated or malformed"
                    + " (an interrupted upload?). Send it again.";
            case NOT_FOUND -> "Nothing is served at this path; the API lives under /api/v1 (see /v3/api-docs).";
            case METHOD_NOT_ALLOWED -> "This path does not accept that HTTP method.";
            default -> status.getReasonPhrase();
        };
    }

    private static HttpStatus status(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatus status = code instanceof Integer i ? HttpStatus.resolve(i) : null;
        return status == null ? HttpStatus.INTERNAL_SERVER_ERROR : status;
    }

    private static boolean isApi(HttpServletRequest request) {
        Object path = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        return path != null && path.toString().startsWith("/api/");
    }
}

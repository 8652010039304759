package io.qreg.registry.security;

import java.net.URI;
import java.util.List;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;

import io.qreg.registry.web.RequestIdFilter;

import org.slf4j.MDC;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import lombok.RequiredArgsConstructor;

/** Accounts over HTTP (ADMIN), who the caller is, and the caller's own password. */
@RestController
@RequiredArgsConstructor
class UserController {

    private final UserService users;
    private final AccountService accounts;

    @PostMapping("/api/v1/users")
    @ResponseStatus(HttpStatus.CREATED)
    UserService.UserView create(@RequestBody UserService.NewUser request) {
        return users.create(request);
    }

    @GetMapping("/api/v1/users")
    List<UserService.UserView> list() {
        return users.list();
    }

    /** Disable or enable the account, or replace its roles. */
    @PatchMapping("/api/v1/users/{username}")
    UserService.UserView update(@PathVariable String username,
            @RequestBody(required = false) AccountService.AccountChange change) {
        return accounts.update(username, change);
    }

    /** An ADMIN sets a temporary password; the person must change it before anything else. */
    @PostMapping("/api/v1/users/{username}/password")
    UserService.UserView resetPassword(@PathVariable String username,
            @RequestBody(required = false) AccountService.PasswordReset reset) {
        return accounts.resetPassword(username, reset);
    }

    record Me(String username, Set<Role> roles) {
    }

    @GetMapping("/api/v1/me")
    Me me() {
        return new Me(CurrentUser.username(), CurrentUser.roles());
    }

    @PostMapping("/api/v1/me/password")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void changePassword(@RequestBody(required = false) AccountService.PasswordChange change,
            HttpServletRequest request) {
        accounts.changeOwnPassword(change, request.getRemoteAddr());
    }

    /** 429 as every throttled sign-in answers it: problem+json naming the field, and when to retry. */
    @ExceptionHandler(SignInThrottled.class)
    ResponseEntity<ProblemDetail> throttled(SignInThrottled e, HttpServletRequest request) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(e.status(), e.getMessage());
        problem.setInstance(URI.create(request.getRequestURI()));
        problem.setProperty("field", e.field());
        problem.setProperty("requestId", MDC.get(RequestIdFilter.MDC_KEY));
        return ResponseEntity.status(e.status()).header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()))
                .contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}

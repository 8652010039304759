package io.qreg.registry.security;

import java.util.List;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import lombok.RequiredArgsConstructor;

/** API tokens: create (the secret is in this response only), list, revoke. */
@RestController
@RequestMapping("/api/v1/tokens")
@RequiredArgsConstructor
class TokenController {

    private final TokenService tokens;

    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    TokenService.IssuedToken create(@RequestBody TokenService.NewToken request) {
        return tokens.issue(request);
    }

    @GetMapping
    List<TokenService.TokenView> list(@RequestParam(required = false) String username) {
        return tokens.list(username);
    }

    @DeleteMapping("/{id}")
    TokenService.TokenView revoke(@PathVariable UUID id) {
        return tokens.revoke(id);
    }
}

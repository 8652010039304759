package io.qreg.registry.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.stereotype.Component;

/**
 * The API tokens of clients running inside this registry process (the embedded worker), whose successful
 * requests the request log writes at DEBUG rather than INFO: the embedded worker polls every few seconds and
 * logs what it claims, its progress and its results itself, so at INFO its requests would bury everything else.
 * Requests are recognised by the exact token, so no other caller can hide its requests from the log.
 */
@Component
public class InProcessClients {

    private static final String BEARER = "Bearer ";

    /** SHA-256 digests (hex) of the tokens: the secrets themselves are not kept. */
    private final Set<String> tokenDigests = ConcurrentHashMap.newKeySet();

    /** From now until this process ends (a token is minted afresh at each start, so none needs forgetting). */
    public void add(String token) {
        tokenDigests.add(digest(token));
    }

    /** Whether the request carries the bearer token of an in-process client. */
    boolean sent(HttpServletRequest request) {
        if (tokenDigests.isEmpty()) {
            return false;
        }
        String authorization = request.getHeader("Authorization");
        return authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
                && tokenDigests.contains(digest(authorization.substring(BEARER.length()).trim()));
    }

    private static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}

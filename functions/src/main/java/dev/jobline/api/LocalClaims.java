package dev.jobline.api;

import dev.jobline.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The caller's claims where no JWT authorizer runs: the local runner ({@code ./jobline run}) and SAM CLI's
 * {@code sam local start-api}, which runs no JWT authorizer. LOCAL ONLY: nothing is verified. The claims come from
 * <ol>
 * <li>{@code Authorization: Bearer <JWT>}: the token's payload, decoded, its signature not checked (an unsigned token
 * such as {@code eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZW5hbnQtYSJ9.} will do); its {@code sub}, when it has one, must be a
 * string;</li>
 * <li>else {@code X-Jobline-Tenant: <tenant>}: {@code sub} is that tenant.</li>
 * </ol>
 * As API Gateway passes them, claim values are strings, and an array reads {@code [a b]}.
 */
public final class LocalClaims {
    public static final String TENANT_HEADER = "x-jobline-tenant";
    public static final String ISSUER = "jobline-local";

    /** A token that cannot be read: API Gateway would answer 401 without calling the function. */
    public static final class Unauthorized extends Exception {
        Unauthorized(String reason) {
            super(reason);
        }
    }

    private LocalClaims() {
    }

    /** The claims the request's (lower-case) headers name; empty when they name none. */
    public static Optional<Map<String, String>> of(Map<String, String> headers) throws Unauthorized {
        String authorization = headers.get("authorization");
        if (authorization != null && !authorization.isBlank()) {
            return Optional.of(ofToken(authorization.trim()));
        }
        String tenant = headers.get(TENANT_HEADER);
        if (tenant != null && !tenant.isBlank()) {
            return Optional.of(ofTenant(tenant.trim()));
        }
        return Optional.empty();
    }

    /** The claims of a caller known only by its tenant. */
    public static Map<String, String> ofTenant(String tenant) {
        Map<String, String> claims = new LinkedHashMap<>();
        claims.put("sub", tenant);
        claims.put("iss", ISSUER);
        return claims;
    }

    private static Map<String, String> ofToken(String authorization) throws Unauthorized {
        String token = authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).trim()
                : authorization;
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new Unauthorized("the bearer token is not a JWT (header.payload.signature)");
        }
        Object payload;
        try {
            byte[] json = Base64.getUrlDecoder().decode(parts[1].replaceAll("=+$", ""));
            payload = Json.parse(new String(json, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | Json.MalformedJson e) {
            throw new Unauthorized("the JWT's payload is not base64url-encoded JSON");
        }
        if (!(payload instanceof Map<?, ?> fields)) {
            throw new Unauthorized("the JWT's payload is not a JSON object");
        }
        // a number, an array or null would become a tenant named "123", "[a]" or "null"
        if (fields.containsKey("sub") && !(fields.get("sub") instanceof String)) {
            throw new Unauthorized("the JWT's 'sub' claim is not a string");
        }
        Map<String, String> claims = new LinkedHashMap<>();
        fields.forEach((name, value) -> claims.put(String.valueOf(name), claimText(value)));
        return claims;
    }

    private static String claimText(Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).collect(Collectors.joining(" ", "[", "]"));
        }
        if (value instanceof Map<?, ?> map) {
            return Json.write(map);
        }
        return String.valueOf(value);
    }
}

package dev.jobline.local.runner;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The caller's identity, in place of the template's JWT authorizer. LOCAL ONLY: nothing is verified. The claims put
 * into {@code requestContext.authorizer.jwt} come from, in this order:
 * <ol>
 * <li>{@code Authorization: Bearer <JWT>}: the token's payload, decoded, its signature not checked (an unsigned
 * token such as {@code eyJhbGciOiJub25lIn0.eyJzdWIiOiJ0ZW5hbnQtYSJ9.} will do);</li>
 * <li>{@code X-Jobline-Tenant: <tenant>}: {@code sub} is that tenant;</li>
 * <li>neither: {@code sub} is the default tenant, so a plain {@code curl} works.</li>
 * </ol>
 * As API Gateway does, claim values are strings, arrays read {@code [a b]}, and {@code scope} gives the scopes.
 */
final class LocalIdentity {
    static final String TENANT_HEADER = "x-jobline-tenant";
    static final String ISSUER = "jobline-local";

    /** A token that cannot be read: API Gateway answers 401 without calling the function. */
    static final class Unauthorized extends Exception {
        Unauthorized(String reason) {
            super(reason);
        }
    }

    private final String defaultTenant;

    LocalIdentity(String defaultTenant) {
        this.defaultTenant = defaultTenant;
    }

    /** The {@code authorizer} object of the request context, from the request's (lower-case) headers. */
    Map<String, Object> authorizer(Map<String, String> headers) throws Unauthorized {
        Map<String, String> claims;
        String authorization = headers.get("authorization");
        String tenant = headers.get(TENANT_HEADER);
        if (authorization != null && !authorization.isBlank()) {
            claims = claimsOf(authorization.trim());
        } else if (tenant != null && !tenant.isBlank()) {
            claims = localClaims(tenant.trim());
        } else {
            claims = localClaims(defaultTenant);
        }
        Map<String, Object> jwt = new LinkedHashMap<>();
        jwt.put("claims", claims);
        String scope = claims.get("scope");
        jwt.put("scopes", scope == null ? null : List.of(scope.split(" ")));
        return Map.of("jwt", jwt);
    }

    private static Map<String, String> localClaims(String tenant) {
        Map<String, String> claims = new LinkedHashMap<>();
        claims.put("sub", tenant);
        claims.put("iss", ISSUER);
        return claims;
    }

    private static Map<String, String> claimsOf(String authorization) throws Unauthorized {
        String token = authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7).trim()
                : authorization;
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new Unauthorized("the bearer token is not a JWT (header.payload.signature)");
        }
        Map<String, Object> payload;
        try {
            byte[] json = Base64.getUrlDecoder().decode(parts[1].replaceAll("=+$", ""));
            payload = JSON.std.mapFrom(new String(json, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | IOException e) {
            throw new Unauthorized("the JWT's payload is not base64url-encoded JSON");
        }
        if (payload == null) {
            throw new Unauthorized("the JWT's payload is not a JSON object");
        }
        Map<String, String> claims = new LinkedHashMap<>();
        payload.forEach((name, value) -> claims.put(name, claimText(value)));
        return claims;
    }

    private static String claimText(Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).collect(Collectors.joining(" ", "[", "]"));
        }
        if (value instanceof Map<?, ?> map) {
            try {
                return JSON.std.asString(map);
            } catch (IOException e) {
                return String.valueOf(map);
            }
        }
        return String.valueOf(value);
    }
}

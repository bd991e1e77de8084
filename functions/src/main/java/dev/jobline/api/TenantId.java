package dev.jobline.api;

import java.util.regex.Pattern;

/**
 * What a tenant id may be: the caller's identity (the JWT's {@code sub}) becomes a key in the table and an attribute
 * of every message, so it is 1-255 printable ASCII characters (OpenID Connect's bound for a {@code sub}), checked
 * before anything is read or written. No spaces, quotes, backslashes, brackets or braces: API Gateway passes every
 * claim as a string, so a {@code sub} that was an array or an object would arrive as {@code [a]} or {@code {...}}.
 */
final class TenantId {
    static final int MAX_LENGTH = 255;
    static final String RULE = "1-" + MAX_LENGTH + " printable ASCII characters, none of space \" \\ [ ] { }";
    private static final Pattern VALID = Pattern.compile("^[\\x21-\\x7E&&[^\"\\\\\\[\\]{}]]{1," + MAX_LENGTH + "}$");

    private TenantId() {
    }

    static boolean isValid(String tenantId) {
        return tenantId != null && VALID.matcher(tenantId).matches();
    }
}

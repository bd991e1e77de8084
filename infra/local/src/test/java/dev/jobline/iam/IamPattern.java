package dev.jobline.iam;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * An Action or Resource of a policy statement, matched as IAM matches it: {@code *} is any run of characters and
 * {@code ?} one character; actions ignore case, resources do not. In a resource ARN a wildcard stays within its
 * colon-separated segment, except a {@code *} that ends a segment, which may reach beyond it; {@code "*"} alone is
 * every resource.
 */
final class IamPattern {
    /** Compiled once: every SDK call of the suite is checked against every statement. */
    private static final Map<String, Pattern> ACTIONS = new ConcurrentHashMap<>();
    private static final Map<String, Pattern> RESOURCES = new ConcurrentHashMap<>();

    private IamPattern() {
    }

    static boolean matchesAction(String pattern, String action) {
        return ACTIONS.computeIfAbsent(pattern, p -> Pattern.compile(wildcards(p), Pattern.CASE_INSENSITIVE))
                .matcher(action).matches();
    }

    static boolean matchesResource(String pattern, String arn) {
        return RESOURCES.computeIfAbsent(pattern, IamPattern::resourceRegex).matcher(arn).matches();
    }

    private static Pattern resourceRegex(String pattern) {
        if (pattern.equals("*")) {
            return Pattern.compile(".*", Pattern.DOTALL);
        }
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*') {
                boolean endsSegment = i + 1 == pattern.length() || pattern.charAt(i + 1) == ':';
                regex.append(endsSegment ? ".*" : "[^:]*");
            } else if (c == '?') {
                regex.append("[^:]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }

    private static String wildcards(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return regex.toString();
    }
}

package dev.jobline.iam;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An Action or Resource of a policy statement, matched as IAM matches it: {@code *} is any run of characters and
 * {@code ?} one character; actions ignore case, resources do not. In a resource ARN a wildcard stays within its
 * colon-separated segment, except a {@code *} that ends a segment, which may reach beyond it; {@code "*"} alone is
 * every resource.
 */
final class IamPattern {

    private IamPattern() {
    }

    static boolean matchesAction(String pattern, String action) {
        String regex = wildcards(pattern.toLowerCase(Locale.ROOT), ".*", ".");
        return action.toLowerCase(Locale.ROOT).matches(regex);
    }

    static boolean matchesResource(String pattern, String arn) {
        if (pattern.equals("*")) {
            return true;
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
        return arn.matches(regex.toString());
    }

    private static String wildcards(String pattern, String star, String question) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? star : c == '?' ? question : Pattern.quote(String.valueOf(c)));
        }
        return regex.toString();
    }
}

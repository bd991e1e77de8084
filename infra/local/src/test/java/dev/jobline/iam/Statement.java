package dev.jobline.iam;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One statement of a role's policy, its intrinsics resolved to local ARNs: Allow or Deny, its actions and its
 * resources, and where it came from ({@code Policies[0].Statement[1]}, or a managed policy's name).
 */
record Statement(String source, boolean allow, List<String> actions, List<String> resources) {

    /** What this check evaluates; a statement with anything else (NotAction, Condition, ...) is refused, not guessed. */
    private static final Set<String> KEYS = Set.of("Effect", "Action", "Resource", "Sid");

    static Statement parse(String source, Object value) {
        if (!(value instanceof Map<?, ?> body)) {
            throw new IllegalArgumentException(source + " is not a statement: " + value);
        }
        for (Object key : body.keySet()) {
            if (!KEYS.contains(String.valueOf(key))) {
                throw new IllegalArgumentException(source + ": " + key + " is not evaluated by this check");
            }
        }
        String effect = String.valueOf(body.get("Effect"));
        if (!effect.equals("Allow") && !effect.equals("Deny")) {
            throw new IllegalArgumentException(source + ": Effect must be Allow or Deny, not " + effect);
        }
        return new Statement(source, effect.equals("Allow"), strings(source, "Action", body.get("Action")),
                strings(source, "Resource", body.get("Resource")));
    }

    private static List<String> strings(String source, String key, Object value) {
        List<Object> items = value instanceof List<?> list ? new ArrayList<>(list) : value == null ? List.of() : List.of(value);
        if (items.isEmpty()) {
            throw new IllegalArgumentException(source + ": no " + key);
        }
        List<String> strings = new ArrayList<>();
        for (Object item : items) {
            if (!(item instanceof String text)) {
                throw new IllegalArgumentException(source + ": " + key + " " + item + " did not resolve to a string");
            }
            strings.add(text);
        }
        return List.copyOf(strings);
    }

    /** The (action, resource) pairs of this statement that cover the request; empty when it does not apply. */
    List<Grant> covering(String function, IamRequest request) {
        List<Grant> grants = new ArrayList<>();
        for (String action : actions) {
            if (!IamPattern.matchesAction(action, request.action())) {
                continue;
            }
            for (String resource : resources) {
                if (IamPattern.matchesResource(resource, request.resource())) {
                    grants.add(new Grant(function, source, action, resource));
                }
            }
        }
        return grants;
    }

    /** Every (action, resource) pair this statement names. */
    List<Grant> grants(String function) {
        List<Grant> grants = new ArrayList<>();
        for (String action : actions) {
            for (String resource : resources) {
                grants.add(new Grant(function, source, action, resource));
            }
        }
        return grants;
    }

    /** One action on one resource (pattern) that a statement of a function's role names. */
    record Grant(String function, String source, String action, String resource) {
    }
}

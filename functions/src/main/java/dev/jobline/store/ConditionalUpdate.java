package dev.jobline.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Builds one UpdateItem with its condition. Every attribute goes through a name placeholder, so
 * reserved words (status, result, error) need no special care.
 */
final class ConditionalUpdate {
    private final String table;
    private final String jobId;
    private final List<String> sets = new ArrayList<>();
    private final List<String> removes = new ArrayList<>();
    private final List<String> adds = new ArrayList<>();
    private final Map<String, String> names = new HashMap<>();
    private final Map<String, AttributeValue> values = new HashMap<>();
    private String condition;

    ConditionalUpdate(String table, String jobId) {
        this.table = table;
        this.jobId = jobId;
        // every write moves the version on, so a reader can tell two states apart
        sets.add(name(JobItem.VERSION) + " = " + name(JobItem.VERSION) + " + " + value("one", JobItem.n(1)));
    }

    ConditionalUpdate set(String attribute, AttributeValue newValue) {
        sets.add(name(attribute) + " = " + value(attribute, newValue));
        return this;
    }

    /** Sets the attribute to another attribute's value as it was before this update. */
    ConditionalUpdate copy(String attribute, String from) {
        sets.add(name(attribute) + " = " + name(from));
        return this;
    }

    /** Sets the attribute only if it has no value yet. */
    ConditionalUpdate setIfAbsent(String attribute, AttributeValue newValue) {
        sets.add(name(attribute) + " = if_not_exists(" + name(attribute) + ", " + value(attribute, newValue) + ")");
        return this;
    }

    ConditionalUpdate increment(String attribute) {
        sets.add(name(attribute) + " = " + name(attribute) + " + " + value("one", JobItem.n(1)));
        return this;
    }

    /** Adds to a number attribute, which counts as 0 while it does not exist (an ADD inside this SET). */
    ConditionalUpdate add(String attribute, AttributeValue amount) {
        sets.add(name(attribute) + " = if_not_exists(" + name(attribute) + ", " + value("zero", JobItem.n(0)) + ") + "
                + value(attribute, amount));
        return this;
    }

    /** Adds the members of {@code members} (a set) to a set attribute, which is created when it does not exist. */
    ConditionalUpdate addToSet(String attribute, AttributeValue members) {
        adds.add(name(attribute) + " " + value(attribute, members));
        return this;
    }

    ConditionalUpdate remove(String... attributes) {
        for (String attribute : attributes) {
            removes.add(name(attribute));
        }
        return this;
    }

    /**
     * The condition, with {@code #attr} for attribute names and {@code :key} for the values given as
     * key, value pairs in {@code conditionValues}.
     */
    ConditionalUpdate when(String expression, Object... conditionValues) {
        StringBuilder resolved = new StringBuilder();
        int i = 0;
        while (i < expression.length()) {
            char c = expression.charAt(i);
            if (c == '#') {
                int end = identifierEnd(expression, i + 1);
                resolved.append(name(expression.substring(i + 1, end)));
                i = end;
            } else {
                resolved.append(c);
                i++;
            }
        }
        for (int k = 0; k + 1 < conditionValues.length; k += 2) {
            values.put(":" + conditionValues[k], (AttributeValue) conditionValues[k + 1]);
        }
        this.condition = resolved.toString();
        return this;
    }

    UpdateItemRequest request() {
        StringBuilder expression = new StringBuilder("SET ").append(String.join(", ", sets));
        if (!removes.isEmpty()) {
            expression.append(" REMOVE ").append(String.join(", ", removes));
        }
        if (!adds.isEmpty()) {
            expression.append(" ADD ").append(String.join(", ", adds));
        }
        UpdateItemRequest.Builder builder = UpdateItemRequest.builder()
                .tableName(table)
                .key(Map.of(JobItem.JOB_ID, JobItem.s(jobId)))
                .updateExpression(expression.toString())
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .returnValues(ReturnValue.ALL_NEW);
        if (condition != null) {
            builder.conditionExpression(condition);
        }
        return builder.build();
    }

    private String name(String attribute) {
        String placeholder = "#" + attribute;
        names.put(placeholder, attribute);
        return placeholder;
    }

    private String value(String key, AttributeValue value) {
        String placeholder = ":v_" + key;
        values.put(placeholder, value);
        return placeholder;
    }

    private static int identifierEnd(String text, int from) {
        int end = from;
        while (end < text.length() && Character.isLetterOrDigit(text.charAt(end))) {
            end++;
        }
        return end;
    }
}

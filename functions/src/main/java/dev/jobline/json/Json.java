package dev.jobline.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** The one JSON configuration: jackson-jr, decimals kept exact, duplicate keys refused. */
public final class Json {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final JSON JSON_IO = JSON.builder(FACTORY)
            .enable(JSON.Feature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS)
            .enable(JSON.Feature.PRESERVE_FIELD_ORDERING)
            .disable(JSON.Feature.WRITE_NULL_PROPERTIES)
            .build();

    private Json() {
    }

    /** Thrown for text that is not one well-formed JSON value. */
    public static final class MalformedJson extends Exception {
        MalformedJson(String message) {
            super(message);
        }
    }

    /** Parses exactly one JSON value; trailing content is an error. */
    public static Object parse(String text) throws MalformedJson {
        try (JsonParser parser = FACTORY.createParser(text)) {
            if (parser.nextToken() == null) {
                throw new MalformedJson("empty document");
            }
            Object value = JSON_IO.anyFrom(parser);
            if (parser.nextToken() != null) {
                throw new MalformedJson("unexpected content after the JSON value at " + parser.currentLocation().offsetDescription());
            }
            requireUnicodeText(value);
            return value;
        } catch (IOException e) {
            throw new MalformedJson(firstLine(e.getMessage()));
        }
    }

    /**
     * JSON text is Unicode (RFC 8259), but an escape such as backslash-u-d800 names half of a surrogate pair, which no
     * UTF-8 can hold: stored, it would come back as '?'. Refused, in keys and values alike.
     */
    private static void requireUnicodeText(Object value) throws MalformedJson {
        if (value instanceof String text) {
            requireWellFormed(text);
        } else if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                requireWellFormed(String.valueOf(entry.getKey()));
                requireUnicodeText(entry.getValue());
            }
        } else if (value instanceof List<?> list) {
            for (Object item : list) {
                requireUnicodeText(item);
            }
        }
    }

    private static void requireWellFormed(String text) throws MalformedJson {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new MalformedJson(String.format("a string holds an unpaired surrogate (\\u%04x), which is not Unicode text", (int) c));
            }
        }
    }

    /** Parses a JSON object, as written by this system (so a failure is a bug, not bad input). */
    public static Map<String, Object> parseObject(String text) {
        try {
            return JSON_IO.mapFrom(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses JSON this system wrote earlier; null stays null. */
    public static Object parseStored(String text) {
        if (text == null) {
            return null;
        }
        try {
            return JSON_IO.anyFrom(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String write(Object value) {
        try {
            return JSON_IO.asString(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("not representable as JSON: " + e.getMessage(), e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "malformed JSON";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

}

package dev.jobline.it;

import dev.jobline.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Lines a function writes to stdout, caught in memory: each one parsed as the JSON object it must be. */
final class CapturedLines {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    List<String> raw() {
        String text = bytes.toString(StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** Every line as a JSON object; a line that is not one fails the test, quoted. */
    List<Map<String, Object>> objects() {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (String line : raw()) {
            try {
                objects.add(Json.parseObject(line));
            } catch (RuntimeException e) {
                throw new AssertionError("not a JSON object: " + line, e);
            }
        }
        return objects;
    }
}

package dev.jobline.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jobline.json.Json;
import dev.jobline.local.CfnYaml;
import dev.jobline.local.LocalAwsExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * README.md's "Invoke a function locally with SAM" holds to events/: its table lists every event file with the
 * function that would receive it, and each of its sam local invoke commands sends a file to that function.
 */
class ReadmeEventsTest {
    private static final Path REPO = LocalAwsExtension.template().getParent();
    private static final Pattern ROW = Pattern.compile("^\\| `([^`]+\\.json)` \\| `([A-Za-z]+)` \\| .+\\|$", Pattern.MULTILINE);
    private static final Pattern INVOKE = Pattern.compile("sam local invoke (\\w+) +-e events/(\\S+\\.json)");

    /** The README's section on sam local invoke, up to the next section. */
    static String section(String readme) {
        int start = readme.indexOf("## Invoke a function locally with SAM");
        assertTrue(start >= 0, "README.md has no section 'Invoke a function locally with SAM'");
        int end = readme.indexOf("\n## ", start + 3);
        return end < 0 ? readme.substring(start) : readme.substring(start, end);
    }

    /** File to function, as the section's table gives them. */
    static Map<String, String> table(String section) {
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher row = ROW.matcher(section);
        while (row.find()) {
            rows.put(row.group(1), row.group(2));
        }
        return rows;
    }

    /** File to function, as the template routes each file in events/ (env.json aside). */
    @SuppressWarnings("unchecked")
    static Map<String, String> eventFiles() throws IOException {
        TemplateChecks checks = new TemplateChecks((Map<String, Object>) CfnYaml.parse(Files.readString(REPO.resolve("template.yaml"))));
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> listing = Files.list(REPO.resolve("events"))) {
            for (Path file : listing.filter(p -> p.toString().endsWith(".json")).toList()) {
                String name = file.getFileName().toString();
                if (!name.equals("env.json")) {
                    files.put(name, checks.functionFor(Json.parseObject(Files.readString(file))));
                }
            }
        }
        return files;
    }

    @Test
    void theTableListsEveryEventFileWithItsFunction() throws IOException {
        Map<String, String> table = table(section(Files.readString(REPO.resolve("README.md"))));

        assertEquals(eventFiles(), new TreeMap<>(table));
    }

    @Test
    void everySamLocalInvokeCommandSendsAFileToItsFunction() throws IOException {
        Map<String, String> files = eventFiles();
        Matcher invoke = INVOKE.matcher(section(Files.readString(REPO.resolve("README.md"))));
        int commands = 0;
        while (invoke.find()) {
            commands++;
            assertEquals(files.get(invoke.group(2)), invoke.group(1), invoke.group());
        }
        assertTrue(commands >= 5, "the section shows " + commands + " sam local invoke commands");
    }

    @Test
    void aFileMissingFromTheTableOrListedForTheWrongFunctionIsCaught() throws IOException {
        String section = section(Files.readString(REPO.resolve("README.md")));
        Map<String, String> files = eventFiles();

        Map<String, String> withoutARow = table(section.replaceFirst("(?m)^\\| `sqs-dead-letters.json` .*\\n", ""));
        Map<String, String> wrongFunction = table(section.replace("| `schedule-sweep.json` | `SweeperFunction` |",
                "| `schedule-sweep.json` | `WorkerFunction` |"));

        assertFalse(files.equals(new TreeMap<>(withoutARow)));
        assertFalse(files.equals(new TreeMap<>(wrongFunction)));
        assertEquals(files.size() - 1, withoutARow.size());
    }
}

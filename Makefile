# sam build's makefile workflow (BuildMethod: makefile on each function of template.yaml): for each function, SAM runs
#   make --makefile Makefile build-<LogicalId>
# with ARTIFACTS_DIR set to that function's directory under .aws-sam/build, and zips what the target leaves there.
# Lambda's Java runtime puts the task root and every jar in its lib/ on the classpath (CustomerClassLoader in
# aws-lambda-java-runtime-interface-client), so each function gets the one shaded jar in lib/.
#
# The jar is built once: make rebuilds it only when a source is newer, and the six targets copy the same file.
# samconfig.toml builds in the source tree (build_in_source), one function after another (parallel = false), so the
# first target runs Maven and the other five find the jar up to date. By hand:
#   make build-ApiFunction ARTIFACTS_DIR=/tmp/api

MVN ?= mvn
JAR := functions/target/jobline-functions.jar
SOURCES := pom.xml functions/pom.xml $(shell find functions/src/main -type f)
FUNCTIONS := ApiFunction WorkerFunction DeadLetterFunction SweeperFunction SchedulerFunction WebhookFunction

.PHONY: $(addprefix build-,$(FUNCTIONS)) artifacts-dir

$(addprefix build-,$(FUNCTIONS)): artifacts-dir $(JAR)
	mkdir -p "$(ARTIFACTS_DIR)/lib"
	cp $(JAR) "$(ARTIFACTS_DIR)/lib/"

# before any build: a target without ARTIFACTS_DIR would copy the jar to /lib
artifacts-dir:
	$(if $(ARTIFACTS_DIR),,$(error ARTIFACTS_DIR is not set: sam build sets it; by hand, make build-ApiFunction ARTIFACTS_DIR=<dir>))

# the functions module and its parent only; tests are mvn verify's business, not a deployment's
$(JAR): $(SOURCES)
	$(MVN) -B -ntp -q -pl functions -am -DskipTests package

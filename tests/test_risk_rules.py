"""Every built-in risk rule fires on a realistic change and stays quiet on its near miss.

Each row is one file of a diff: a path, its added lines (numbered from 1) and, for removals,
its removed lines. ``fires`` says whether the named rule must produce evidence for it. A rule
with no firing row fails :func:`test_every_builtin_rule_has_a_firing_example`, so a new rule
cannot land untested.

Secret-shaped strings are built from pieces, so this file itself holds no token a secret
scanner would flag.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from signoff.core.diff import FileChange
from signoff.core.risk.detect import RiskDetector, builtin_rules, rule_catalogue

ALNUM = "aB3dE5gH7jK9mN1pQ2rS4tU6vW8xY0z"
AWS_KEY = "AK" + "IA" + "Q2WERTYUIOPASDFG"
GITHUB_TOKEN = "gh" + "p_" + (ALNUM * 2)[:36]
GITLAB_TOKEN = "gl" + "pat-" + ALNUM[:20]
SLACK_TOKEN = "xo" + "xb-" + "1234567890-" + ALNUM[:12]
SLACK_HOOK = "https://hooks." + "slack.com/services/T0A1B2C3D/B0A1B2C3D/" + ALNUM[:24]
STRIPE_LIVE = "sk" + "_live_" + ALNUM[:24]
STRIPE_TEST = "sk" + "_test_" + ALNUM[:24]
GOOGLE_KEY = "AI" + "za" + (ALNUM * 2)[:35]
OPENAI_KEY = "sk" + "-proj-" + ALNUM[:30]
SENDGRID_KEY = "SG" + "." + (ALNUM * 2)[:22] + "." + (ALNUM * 2)[:43]
PRIVATE_KEY = "-----BEGIN RSA " + "PRIVATE KEY-----"


@dataclass(frozen=True)
class Case:
    rule: str
    path: str
    added: tuple[str, ...] = ()
    fires: bool = True
    status: str = "modified"
    removed: tuple[str, ...] = ()
    # Both versions of the file, for rules that read the whole text (None: the gate did not).
    old: str | None = None
    new: str | None = None
    start: int = 1  # the number of the first added and removed line

    def change(self) -> FileChange:
        return FileChange(
            status=self.status,  # type: ignore[arg-type]
            path=self.path,
            added=tuple(enumerate(self.added, start=self.start)),
            removed=tuple(enumerate(self.removed, start=self.start)),
        )


def added(rule: str, path: str, *lines: str, fires: bool = True) -> Case:
    return Case(rule, path, lines, fires=fires, status="added")


def edited(rule: str, path: str, *lines: str, fires: bool = True) -> Case:
    return Case(rule, path, lines, fires=fires)


CASES: tuple[Case, ...] = (
    # ---------------------------------------------------------------- schema
    added(
        "schema.django-migration",
        "shop/migrations/0002_order_total.py",
        "from django.db import migrations",
    ),
    edited("schema.django-migration", "shop/migrations/__init__.py", "", fires=False),
    added("schema.django-migration", "tests/migrations/0001_initial.py", "x = 1", fires=False),
    added("schema.alembic-revision", "alembic/versions/3f2a_add_users.py", 'revision = "3f2a"'),
    edited("schema.alembic-revision", "alembic/env.py", "config = context.config", fires=False),
    added(
        "schema.rails-migration",
        "db/migrate/20261121_add_index.rb",
        "class AddIndex < ActiveRecord::Migration[7.1]",
    ),
    edited("schema.rails-migration", "db/seeds.rb", "User.create!(name: 'a')", fires=False),
    edited("schema.rails-schema", "db/schema.rb", '  create_table "orders" do |t|'),
    edited("schema.rails-schema", "app/models/schema.rb", "class Schema", fires=False),
    edited("schema.prisma", "prisma/schema.prisma", "model Order {"),
    added("schema.prisma", "prisma/migrations/20261121_init/migration.sql", "-- init"),
    edited("schema.prisma", "prisma/seed.ts", "await prisma.user.create()", fires=False),
    added("schema.flyway", "src/main/resources/db/migration/V3__add_email.sql", "-- email"),
    added("schema.flyway", "sql/V3_notes.txt", "notes", fires=False),
    added(
        "schema.liquibase",
        "src/main/resources/db/changelog/db.changelog-master.yaml",
        "databaseChangeLog:",
    ),
    edited("schema.liquibase", "CHANGELOG.md", "## 1.2.0", fires=False),
    added("schema.migration-files", "migrations/000001_create_users.up.sql", "-- users"),
    added(
        "schema.migration-files", "database/migrations/2026_01_01_create_users_table.php", "<?php"
    ),
    added(
        "schema.migration-files", "src/migrations/1700000000-AddUser.ts", "export class AddUser {}"
    ),
    edited("schema.migration-files", "scripts/migrate_data.py", "run()", fires=False),
    added("schema.sql-ddl", "db/init.sql", "create table users (id int);"),
    edited("schema.sql-ddl", "db/init.sql", "ALTER TABLE users ADD COLUMN email text;"),
    edited(
        "schema.sql-ddl",
        "queries/report.sql",
        "SELECT * FROM users WHERE created > now()",
        fires=False,
    ),
    edited("schema.sql-ddl", "docs/setup.sql", "CREATE TABLE users (id int);", fires=False),
    edited("schema.sql-ddl", "db/init.sql", "-- DROP TABLE users;", fires=False),
    edited("schema.ddl-in-code", "app/db.py", 'cursor.execute("CREATE TABLE audit (id serial)")'),
    edited(
        "schema.ddl-in-code",
        "internal/store/init.go",
        '\tdb.Exec("ALTER TABLE orders ADD COLUMN paid bool")',
    ),
    edited(
        "schema.ddl-in-code",
        "docs/guide.md",
        "Run CREATE TABLE audit (id serial) first.",
        fires=False,
    ),
    edited(
        "schema.ddl-in-code",
        "tests/test_db.py",
        'db.execute("CREATE TABLE t (id int)")',
        fires=False,
    ),
    edited("schema.ddl-in-code", "app/db.py", "# CREATE TABLE audit later", fires=False),
    edited("schema.ddl-in-code", "app/ui.py", 'title = "create table of contents"', fires=False),
    edited("schema.protobuf", "proto/orders/v1/orders.proto", "  string email = 3;"),
    edited("schema.protobuf", "tests/fixtures/orders.proto", "  string email = 3;", fires=False),
    edited("schema.openapi", "api/openapi.yaml", "  /orders:"),
    edited("schema.openapi", "docs/openapi.json", '  "paths": {}'),
    edited("schema.openapi", "api/handlers.py", "def orders(): ...", fires=False),
    added("schema.openapi-document", "api/spec.yml", "openapi: 3.1.0"),
    edited("schema.openapi-document", "config/app.yml", "name: openapi-client", fires=False),
    edited("schema.graphql", "schema.graphql", "type Order {"),
    edited("schema.graphql", "src/schema/user.graphql", "type User {"),
    edited("schema.graphql", "src/queries/getUser.graphql", "query GetUser {", fires=False),
    edited("schema.avro", "schemas/order.avsc", '{"type": "record"}'),
    edited("schema.json-schema", "contracts/order.schema.json", '"required": ["id"]'),
    edited("schema.json-schema", "schemas/order.json", '"required": ["id"]'),
    edited("schema.json-schema", "config/settings.json", '"debug": false', fires=False),
    # ---------------------------------------------------------------- deploy
    edited("deploy.dockerfile", "Dockerfile", "FROM python:3.12-slim"),
    edited("deploy.dockerfile", "services/api/Dockerfile.prod", "FROM node:22"),
    edited("deploy.dockerfile", "Dockerfile.dev", "FROM python:3.12", fires=False),
    edited("deploy.dockerfile", ".devcontainer/Dockerfile", "FROM python:3.12", fires=False),
    edited("deploy.dockerfile", "tests/docker/Dockerfile", "FROM python:3.12", fires=False),
    edited("deploy.dockerfile", "docs/examples/Dockerfile", "FROM python:3.12", fires=False),
    edited("deploy.compose", "docker-compose.yml", "  web:"),
    edited("deploy.compose", "compose.prod.yaml", "  web:"),
    edited("deploy.compose", "docker-compose.override.yml", "  web:", fires=False),
    edited("deploy.compose", "docker-compose.test.yml", "  web:", fires=False),
    edited("deploy.kubernetes-path", "k8s/deployment.yaml", "  replicas: 3"),
    edited("deploy.kubernetes-path", "deploy/overlays/prod/kustomization.yaml", "resources:"),
    edited("deploy.kubernetes-path", "src/k8s_client.py", "import kubernetes", fires=False),
    added("deploy.kubernetes-kind", "ops/web.yaml", "apiVersion: apps/v1", "kind: Deployment"),
    added("deploy.kubernetes-kind", "ops/svc.yml", "kind: Service  # public"),
    added("deploy.kubernetes-kind", "ops/web.yaml", "# kind: Deployment", fires=False),
    added("deploy.kubernetes-kind", "ops/sa.yaml", "kind: ServiceAccount", fires=False),
    added("deploy.kubernetes-kind", "docs/k8s.yaml", "kind: Deployment", fires=False),
    edited("deploy.helm", "charts/api/values.yaml", "replicaCount: 2"),
    edited("deploy.helm", "charts/api/Chart.yaml", "version: 1.2.0"),
    edited("deploy.terraform", "infra/main.tf", 'resource "aws_s3_bucket" "assets" {'),
    edited("deploy.terraform", "envs/prod.tfvars", "instance_count = 3"),
    edited("deploy.terraform", "docs/terraform.md", "terraform apply", fires=False),
    edited("deploy.pulumi", "Pulumi.prod.yaml", "config:"),
    edited("deploy.cloudformation", "cloudformation/stack.yaml", "Resources:"),
    edited("deploy.cloudformation", "cdk.json", '"app": "npx ts-node bin/app.ts"'),
    added(
        "deploy.cloudformation-template",
        "infra/stack.yml",
        "AWSTemplateFormatVersion: '2010-09-09'",
    ),
    added("deploy.cloudformation-template", "template.yaml", "    Type: AWS::Serverless::Function"),
    added("deploy.cloudformation-template", "config/app.yml", "type: aws", fires=False),
    edited("deploy.ansible", "ansible/site.yml", "- hosts: web"),
    edited("deploy.ansible", "roles/web/tasks/main.yml", "- name: restart"),
    edited("deploy.ansible", "src/inventory/models.py", "class Stock: ...", fires=False),
    edited("deploy.procfile", "Procfile", "web: gunicorn app:app"),
    edited("deploy.procfile", "Procfile.dev", "web: flask run", fires=False),
    edited("deploy.fly", "fly.toml", 'app = "shop"'),
    edited("deploy.app-engine", "app.yaml", "runtime: python312"),
    edited("deploy.serverless", "serverless.yml", "service: shop"),
    edited("deploy.vercel", "vercel.json", '"rewrites": []'),
    edited("deploy.netlify", "netlify.toml", "[build]"),
    edited("deploy.platform-config", "render.yaml", "services:"),
    edited("deploy.platform-config", "config/deploy.yml", "service: shop"),
    edited("deploy.platform-config", "Capfile", "require 'capistrano/deploy'"),
    edited("deploy.ci-workflow", ".github/workflows/deploy.yml", "on: push"),
    edited("deploy.ci-workflow", ".github/workflows/release.yaml", "on: push"),
    edited("deploy.ci-workflow", ".github/workflows/ci.yml", "      - run: pytest", fires=False),
    edited("deploy.ci-step", ".github/workflows/ci.yml", "      - run: kubectl apply -f k8s/"),
    edited("deploy.ci-step", ".gitlab-ci.yml", "deploy_production:"),
    edited("deploy.ci-step", "Jenkinsfile", "        sh 'docker push registry/shop:latest'"),
    edited(
        "deploy.ci-step",
        ".github/workflows/ci.yml",
        "      - run: cargo build --release",
        fires=False,
    ),
    edited("deploy.ci-step", ".github/workflows/ci.yml", "      # deploy later", fires=False),
    # ---------------------------------------------------------------- security
    edited("security.sensitive-path", "src/auth/views.py", "def login(): ..."),
    edited("security.sensitive-path", "app/controllers/sessions_controller.rb", "def create"),
    edited("security.sensitive-path", "src/components/LoginForm.tsx", "export {}"),
    edited("security.sensitive-path", "src/components/SignIn.tsx", "export {}"),
    edited("security.sensitive-path", "internal/oauth2/client.go", "package oauth2"),
    edited("security.sensitive-path", "src/authors/list.py", "x = 1", fires=False),
    edited("security.sensitive-path", "src/design-tokens/colors.ts", "x = 1", fires=False),
    edited("security.sensitive-path", "src/tokenizer.py", "x = 1", fires=False),
    edited("security.sensitive-path", "tests/test_auth.py", "x = 1", fires=False),
    edited("security.authorization-policy", "app/policies/order_policy.rb", "def update?"),
    edited("security.authorization-policy", "policy/authz.rego", "allow { true }"),
    edited("security.codeowners", ".github/CODEOWNERS", "* @lead"),
    edited("security.gate-policy", "signoff.toml", 'reversible = ["tests"]'),
    edited("security.gate-policy", "services/api/signoff.toml", "sample_rate = 0"),
    edited("security.gate-policy", "docs/signoff-toml.md", "x", fires=False),
    edited("security.env-file", ".env.production", "DATABASE_URL=postgres://db/shop"),
    edited("security.env-file", "src/environment.py", "x = 1", fires=False),
    added("security.key-file", "certs/server.key", "binary"),
    edited("security.iam-policy", "infra/iam/roles.tf", 'resource "aws_iam_role" "app" {'),
    edited("security.iam-policy", "policies/deploy-policy.json", "{}"),
    edited("security.iam-statement", "infra/bucket.json", '      "Effect": "Allow",'),
    edited("security.iam-statement", "infra/main.tf", 'resource "aws_iam_role_policy" "app" {'),
    edited(
        "security.iam-statement", "infra/main.tf", 'resource "aws_s3_bucket" "app" {', fires=False
    ),
    added("security.kubernetes-rbac", "k8s/rbac.yaml", "kind: ClusterRoleBinding"),
    edited("security.settings", "mysite/settings.py", "ALLOWED_HOSTS = ['*']"),
    edited("security.settings", "mysite/settings.py", "DEBUG = True"),
    edited("security.settings", "config/environments/production.rb", "  config.force_ssl = false"),
    edited("security.settings", "mysite/settings.py", "TIME_ZONE = 'UTC'", fires=False),
    edited("security.settings", "mysite/views.py", "DEBUG = True", fires=False),
    edited("security.settings", "mysite/settings.py", "# DEBUG = True", fires=False),
    edited("security.cors", "mysite/settings.py", "CORS_ALLOW_ALL_ORIGINS = True"),
    edited("security.cors", "src/server.js", "app.use(cors({ origin: '*' }));"),
    edited("security.cors", "src/server.js", "app.use(express.json());", fires=False),
    edited("security.csp", "src/app.js", "app.use(helmet());"),
    edited("security.csp", "mysite/settings.py", "CSP_DEFAULT_SRC = (\"'self'\",)"),
    edited(
        "security.cookie-flags", "src/server.js", "  cookie: { httpOnly: false, sameSite: 'none' },"
    ),
    edited("security.cookie-flags", "src/server.js", "  cookie: { maxAge: 3600 },", fires=False),
    edited("security.csrf", "shop/views.py", "@csrf_exempt"),
    edited(
        "security.csrf",
        "shop/views.py",
        "from django.views.decorators.csrf import csrf_protect",
        fires=False,
    ),
    edited(
        "security.rails-forgery-protection",
        "app/controllers/api_controller.rb",
        "  skip_before_action :verify_authenticity_token",
    ),
    edited("security.private-key", "deploy/key.txt", PRIVATE_KEY),
    edited("security.private-key", "tests/fixtures/key.txt", PRIVATE_KEY),  # secrets count in tests
    edited("security.private-key", "deploy/key.txt", "-----BEGIN PUBLIC KEY-----", fires=False),
    edited("security.aws-key", "app/aws.py", f'KEY_ID = "{AWS_KEY}"'),
    edited(
        "security.aws-key",
        "docs/aws.md",
        "Use AKIAIOSFODNN7EXAMPLE as the example key.",
        fires=False,
    ),
    edited("security.git-host-token", "scripts/release.sh", f"export GH_TOKEN={GITHUB_TOKEN}"),
    edited("security.git-host-token", ".gitlab-ci.yml", f"  TOKEN: {GITLAB_TOKEN}"),
    edited(
        "security.git-host-token", "scripts/release.sh", "export GH_TOKEN=$GH_TOKEN", fires=False
    ),
    edited("security.slack-token", "bot/config.py", f'TOKEN = "{SLACK_TOKEN}"'),
    edited("security.slack-token", "bot/notify.py", f'HOOK = "{SLACK_HOOK}"'),
    edited("security.stripe-key", "pay/keys.py", f'API_KEY = "{STRIPE_LIVE}"'),
    edited("security.stripe-key", "pay/keys.py", f'API_KEY = "{STRIPE_TEST}"', fires=False),
    edited("security.google-api-key", "web/maps.js", f'const key = "{GOOGLE_KEY}";'),
    edited("security.llm-api-key", "bot/llm.py", f'client = OpenAI(api_key="{OPENAI_KEY}")'),
    edited("security.sendgrid-key", "mail/send.py", f'KEY = "{SENDGRID_KEY}"'),
    edited("security.secret-assignment", "config/app.yml", 'password: "s3cr3tP4ssw0rd"'),
    edited(
        "security.secret-assignment", "config/app.yml", 'password: "${DB_PASSWORD}"', fires=False
    ),
    edited("security.secret-assignment", "config/app.yml", 'password: "changeme123"', fires=False),
    edited(
        "security.secret-assignment",
        "src/shop/models.py",
        'password = "s3cr3tP4ssw0rd"',
        fires=False,
    ),
    # ---------------------------------------------------------------- copy
    edited("copy.locale-catalog", "locale/fr/LC_MESSAGES/django.po", 'msgstr "Panier"'),
    edited("copy.locale-catalog", "config/locales/en.yml", "  checkout: Check out"),
    edited("copy.locale-catalog", "lib/l10n/app_en.arb", '"title": "Shop"'),
    edited("copy.locale-catalog", "tests/locales/en.json", '"title": "Shop"', fires=False),
    edited("copy.email-template", "templates/emails/welcome.html", "<p>Welcome to Shop!</p>"),
    edited(
        "copy.email-template",
        "app/views/user_mailer/welcome.html.erb",
        "<h1>Hi <%= @user.name %>, welcome!</h1>",
    ),
    edited(
        "copy.email-template", "templates/emails/welcome.html", "{# tweak spacing #}", fires=False
    ),
    edited(
        "copy.email-template", "templates/emails/base.html", '<table class="wrapper">', fires=False
    ),
    edited("copy.legal-page", "legal/terms.md", "## 4. Refunds within 30 days"),
    edited("copy.legal-page", "pages/privacy.tsx", "      <p>We never sell your data.</p>"),
    edited(
        "copy.legal-page",
        "pages/privacy.tsx",
        "import Layout from '../components/Layout';",
        fires=False,
    ),
    edited("copy.legal-page", "docs/privacy.md", "We never sell your data.", fires=False),
    edited("copy.templates", "templates/shop/cart.html", "<button>Check out now</button>"),
    edited("copy.templates", "src/components/Banner.tsx", "      <h2>Free shipping over $50</h2>"),
    edited("copy.templates", "src/components/Banner.tsx", "        Free shipping on every order"),
    edited("copy.templates", "app/views/orders/show.html.erb", "<p>Your order has shipped.</p>"),
    edited("copy.templates", "src/App.vue", "    <p>{{ count }} items in your cart</p>"),
    edited("copy.templates", "app/views/orders/show.html.haml", "%p Thanks for your order"),
    edited("copy.templates", "templates/shop/cart.html", '<img src="cart.png" alt="Your cart">'),
    edited("copy.templates", "templates/shop/cart.html", '{% trans "Check out" %}'),
    edited("copy.templates", "templates/shop/cart.html", "<!-- TODO: new banner -->", fires=False),
    edited(
        "copy.templates", "templates/shop/cart.html", "{% if user.is_authenticated %}", fires=False
    ),
    edited("copy.templates", "templates/shop/cart.html", '<div class="row">', fires=False),
    edited(
        "copy.templates",
        "templates/shop/cart.html",
        '  class="btn btn-primary" type="submit"',
        fires=False,
    ),
    edited(
        "copy.templates",
        "src/components/Banner.test.tsx",
        "      <h2>Free shipping</h2>",
        fires=False,
    ),
    edited(
        "copy.templates",
        "src/components/Banner.tsx",
        "  const total = items.reduce((a, b) => a + b, 0);",
        fires=False,
    ),
    edited(
        "copy.templates", "src/components/Banner.tsx", "import React from 'react';", fires=False
    ),
    edited("copy.templates", "src/components/Banner.tsx", "  // Free shipping banner", fires=False),
    edited("copy.templates", "app/views/orders/show.html.haml", "= render 'items'", fires=False),
    # ---------------------------------------------------------------- vendor
    edited("vendor.new-dependency", "requirements.txt", "stripe==7.0.0"),
    edited("vendor.sdk-import-python", "app/payments.py", "import stripe"),
    edited("vendor.sdk-import-python", "app/sms.py", "from twilio.rest import Client"),
    edited("vendor.sdk-import-python", "app/payments.py", "import stripe_helpers", fires=False),
    edited("vendor.sdk-import-python", "tests/test_payments.py", "import stripe", fires=False),
    edited("vendor.sdk-import-js", "src/pay.ts", "import Stripe from 'stripe';"),
    edited("vendor.sdk-import-js", "src/mail.js", "const sg = require('@sendgrid/mail');"),
    edited(
        "vendor.sdk-import-js", "src/pay.ts", "import { stripeColor } from './theme';", fires=False
    ),
    edited("vendor.sdk-import-go", "internal/pay/pay.go", '\t"github.com/stripe/stripe-go/v76"'),
    edited(
        "vendor.sdk-import-go",
        "internal/pay/pay_test.go",
        '\t"github.com/stripe/stripe-go/v76"',
        fires=False,
    ),
    edited(
        "vendor.sdk-import-go",
        "internal/pay/pay.go",
        '\t"github.com/stretchr/testify/assert"',
        fires=False,
    ),
    edited(
        "vendor.sdk-import-jvm", "src/main/java/shop/Pay.java", "import com.stripe.model.Charge;"
    ),
    edited("vendor.sdk-import-ruby", "lib/pay.rb", "require 'stripe'"),
    edited("vendor.api-url", "app/client.py", 'BASE = "https://api.stripe.com/v1"'),
    edited("vendor.api-url", "app/client.py", 'PAYMENTS_BASE_URL = "https://payments.acme.io"'),
    edited("vendor.api-url", "app/client.py", 'url = "https://api.example.com/x"', fires=False),
    edited("vendor.api-url", "docs/api.md", "Call https://api.stripe.com/v1", fires=False),
    edited(
        "vendor.api-key-setting", "shop/settings.py", 'SENDGRID_API_KEY = env("SENDGRID_API_KEY")'
    ),
    edited(
        "vendor.api-key-setting",
        "shop/settings.py",
        "# SENDGRID_API_KEY is read elsewhere",
        fires=False,
    ),
    # ---------------------------------------------------------------- architecture
    added(
        "architecture.decision-record", "docs/decisions/0007-use-postgres.md", "# Use PostgreSQL"
    ),
    added("architecture.decision-record", "doc/adr/0002-event-sourcing.md", "# Event sourcing"),
    edited("architecture.decision-record", "docs/decisions/README.md", "Index", fires=False),
    edited("architecture.decision-record", "docs/decisions/template.md", "# Title", fires=False),
    # ---------------------------------------------------------------- comment-only deploy files
    # A Helm chart or Terraform change that renders or plans the same deploys nothing.
    Case(
        "deploy.helm",
        "charts/api/templates/_helpers.tpl",
        ("{{/*", "Names are cut at 63 characters (DNS label limit).", "*/}}"),
        old='{{- define "api.fullname" -}}\n{{- .Release.Name | trunc 63 -}}\n{{- end }}\n',
        new="{{/*\nNames are cut at 63 characters (DNS label limit).\n*/}}\n"
        '{{- define "api.fullname" -}}\n{{- .Release.Name | trunc 63 -}}\n{{- end }}\n',
        fires=False,
    ),
    Case(
        "deploy.helm",
        "charts/api/templates/_helpers.tpl",
        ("{{- .Release.Name | trunc 40 -}}",),
        removed=("{{- .Release.Name | trunc 63 -}}",),
        start=2,
        old='{{- define "api.fullname" -}}\n{{- .Release.Name | trunc 63 -}}\n{{- end }}\n',
        new='{{- define "api.fullname" -}}\n{{- .Release.Name | trunc 40 -}}\n{{- end }}\n',
    ),
    Case(  # a word fixed in the middle of a comment opened above the hunk
        "deploy.helm",
        "charts/api/templates/deployment.yaml",
        ("Keep the labels in step with the service.",),
        removed=("Keep the labels in sync with the service.",),
        start=2,
        old="{{- /*\nKeep the labels in sync with the service.\n*/ -}}\nkind: Deployment\n",
        new="{{- /*\nKeep the labels in step with the service.\n*/ -}}\nkind: Deployment\n",
        fires=False,
    ),
    edited(
        "deploy.helm", "charts/api/values.yaml", "# -- replicas behind the service", fires=False
    ),
    edited("deploy.helm", "charts/api/values.yaml", "replicaCount: 3  # was 2"),
    Case("deploy.helm", "charts/api/templates/secret.yaml", status="deleted"),
    Case(
        "deploy.terraform",
        "variables.tf",
        ('  description = "AWS region every resource is created in."', "  type        = string"),
        removed=("  type    = string",),
        start=2,
        old='variable "region" {\n  type    = string\n  default = "eu-west-1"\n}\n',
        new='variable "region" {\n  description = "AWS region every resource is created in."\n'
        '  type        = string\n  default     = "eu-west-1"\n}\n',
        fires=False,
    ),
    Case(  # a description on a resource can replace it: that one counts
        "deploy.terraform",
        "main.tf",
        ('  description = "web traffic"',),
        start=2,
        old='resource "aws_security_group" "web" {\n  name = "web"\n}\n',
        new='resource "aws_security_group" "web" {\n  description = "web traffic"\n'
        '  name = "web"\n}\n',
    ),
    Case(  # a comment inside a heredoc is part of the script that ships
        "deploy.terraform",
        "main.tf",
        ("    # install the agent",),
        start=3,
        old='resource "aws_instance" "a" {\n  user_data = <<-EOT\n    yum -y update\n  EOT\n}\n',
        new='resource "aws_instance" "a" {\n  user_data = <<-EOT\n    # install the agent\n'
        "    yum -y update\n  EOT\n}\n",
    ),
    edited("deploy.terraform", "main.tf", "# TODO: move to a module", fires=False),
    edited("deploy.terraform", "main.tf", "/* retired: the old bucket */", fires=False),
    # ---------------------------------------------------------------- CI that deploys
    Case(
        "deploy.ci-step",
        ".github/workflows/lint-manifests.yml",
        (
            "on: [pull_request]",
            "    steps:",
            "      - run: curl -sSL https://github.com/x/kubeconform/releases/download/v1/k.tgz",
            "      - run: kubectl kustomize deploy/overlays/prod | ./kubeconform -strict",
            "      - run: helm template charts/api | ./kubeconform -strict",
        ),
        status="added",
        fires=False,
    ),
    Case(  # one line of a workflow whose whole text deploys
        "deploy.ci-step",
        ".github/workflows/ci.yml",
        ("          node-version: 22",),
        removed=("          node-version: 20",),
        start=8,
        new="on: push\njobs:\n  ship:\n    steps:\n      - uses: actions/setup-node@v4\n"
        "        with:\n          x: 1\n          node-version: 22\n"
        "      - run: helm upgrade --install api charts/api\n",
        old="on: push\njobs:\n  ship:\n    steps:\n      - uses: actions/setup-node@v4\n"
        "        with:\n          x: 1\n          node-version: 20\n"
        "      - run: helm upgrade --install api charts/api\n",
    ),
    Case(  # the same line in a workflow that only tests
        "deploy.ci-step",
        ".github/workflows/ci.yml",
        ("          node-version: 22",),
        removed=("          node-version: 20",),
        start=3,
        new="on: [pull_request]\nsteps:\n          node-version: 22\n      - run: npm test\n",
        old="on: [pull_request]\nsteps:\n          node-version: 20\n      - run: npm test\n",
        fires=False,
    ),
    Case(  # a comment in a deploy workflow runs nothing differently
        "deploy.ci-step",
        ".github/workflows/ci.yml",
        ("      # rolls out to the cluster",),
        new="on: push\nsteps:\n      # rolls out to the cluster\n      - run: kubectl apply -f k8s/\n",
        old="on: push\nsteps:\n      - run: kubectl apply -f k8s/\n",
        fires=False,
    ),
    edited("deploy.ci-step", ".github/workflows/ci.yml", "  release:", "    types: [published]"),
    edited("deploy.ci-step", ".github/workflows/ci.yml", "    tags: ['v*']"),
    edited("deploy.ci-step", ".github/workflows/ci.yml", "    environment: production"),
    edited("deploy.ci-step", ".github/workflows/ci.yml", "      - uses: azure/webapps-deploy@v3"),
    edited(
        "deploy.ci-step",
        ".github/workflows/ci.yml",
        "      - uses: aws-actions/configure-aws-credentials@v4",
    ),
    edited(
        "deploy.ci-step", ".github/workflows/ci.yml", "      - run: npm publish --access public"
    ),
    edited("deploy.ci-step", ".github/workflows/ci.yml", "      - run: gh release create $TAG"),
    edited("deploy.ci-step", ".gitlab-ci.yml", "  stage: deploy"),
    edited("deploy.ci-step", ".gitlab-ci.yml", "  tags: [docker]", fires=False),
    edited(
        "deploy.ci-step",
        ".github/workflows/ci.yml",
        "      - run: dotnet build -c Release",
        fires=False,
    ),
    edited("deploy.ci-step", ".circleci/config.yml", "    environment:", fires=False),
    edited(
        "deploy.ci-step",
        ".github/workflows/ci.yml",
        "      - name: Publish Test Results",
        "        uses: EnricoMi/publish-unit-test-result-action@v2",
        fires=False,
    ),
    edited("deploy.ci-step", ".github/workflows/image.yml", "          push: true"),
    edited("deploy.ci-step", ".github/workflows/image.yml", "          push: false", fires=False),
    edited(
        "deploy.ci-step",
        ".github/workflows/ci.yml",
        "    branches: [main, 'release/**']",
        fires=False,
    ),
    edited(
        "deploy.ci-step",
        ".github/workflows/ci.yml",
        "      - uses: docker/metadata-action@v5",
        "        with:",
        "          tags: type=sha",
        fires=False,
    ),
    # ---------------------------------------------------------------- security gaps
    edited("security.env-file", ".env.example", "OPENAI_API_KEY=", fires=False),
    edited("security.env-file", ".env.local.sample", "OPENAI_API_KEY=", fires=False),
    edited("security.env-file", "config/.env.template", "DATABASE_URL=", fires=False),
    edited("security.env-file", ".env.dist", "DATABASE_URL=", fires=False),
    edited("vendor.api-key-setting", ".env.example", "OPENAI_API_KEY="),
    edited("security.cors-config", "config/initializers/cors.rb", "    resource '/api/*'"),
    edited("security.cors-config", "docs/cors.md", "Allow the app's origin.", fires=False),
    edited("security.cors", "config/initializers/cors.rb", '    origins "*"'),
    edited("security.cors", "app/main.py", '    allow_origins=["*"],'),
    edited("security.cors", "app/models/shipment.rb", "  origins = Port.all", fires=False),
    edited("security.cors", "config/initializers/cors.rb", '    # origins "*"', fires=False),
    Case(
        "security.auth-throttling",
        "accounts/views.py",
        (
            "MAX_FAILURES = 5",
            "    def form_invalid(self, form):",
            "        key = f\"login-failures:{self.request.META.get('REMOTE_ADDR')}\"",
            "        cache.set(key, cache.get(key, 0) + 1, timeout=900)",
        ),
    ),
    edited(
        "security.auth-throttling",
        "accounts/views.py",
        '@ratelimit(key="ip", rate="5/m", method="POST")',
        "def login_view(request):",
    ),
    edited("security.auth-throttling", "shop/settings.py", "AXES_FAILURE_LIMIT = 5"),
    Case(  # a throttle taken off a login view weakens it
        "security.auth-throttling",
        "accounts/views.py",
        removed=('@ratelimit(key="ip", rate="5/m")', "def sign_in(request):"),
    ),
    edited(
        "security.auth-throttling",
        "src/components/Search.tsx",
        "const onType = throttle(() => search(query), 300);",
        fires=False,
    ),
    edited(
        "security.auth-throttling",
        "payments/client.py",
        "RATE_LIMIT_PER_SECOND = 25  # Stripe's documented limit",
        fires=False,
    ),
    edited(
        "security.auth-throttling", "accounts/views.py", "# TODO: login rate_limit", fires=False
    ),
    edited(  # in user code, but about a search box, not logging in
        "security.auth-throttling",
        "src/users/SearchUsers.tsx",
        "const onType = throttle(() => search(query), 300);",
        fires=False,
    ),
    edited(
        "security.auth-throttling",
        "accounts/billing.py",
        "RATE_LIMIT_PER_SECOND = 25  # Stripe's documented limit",
        fires=False,
    ),
    edited(  # a login template's message is copy, not code
        "security.auth-throttling",
        "accounts/templates/login.html",
        "<p>Too many attempts: try again later.</p>",
        fires=False,
    ),
    edited(
        "security.auth-throttling",
        "app/controllers/sessions_controller.rb",
        "  rate_limit to: 10, within: 3.minutes, only: :create",
    ),
    added(
        "security.terraform-secret-default",
        "variables.tf",
        'variable "db_password" {',
        "  type      = string",
        '  default   = "Sh0p-Prod-2024!xQ9"',
        "}",
    ),
    added(  # marked sensitive: a secret whatever its name
        "security.terraform-secret-default",
        "variables.tf",
        'variable "master" {',
        '  default   = "Sh0p-Prod-2024!xQ9"',
        "  sensitive = true",
        "}",
    ),
    Case(  # the variable's header is outside the hunk: the whole text shows it
        "security.terraform-secret-default",
        "variables.tf",
        ('  default = "tok_9f8e7d6c5b4a3"',),
        removed=('  default = "tok_1a2b3c4d5e6f7"',),
        start=3,
        old='variable "api_token" {\n  type = string\n  default = "tok_1a2b3c4d5e6f7"\n}\n',
        new='variable "api_token" {\n  type = string\n  default = "tok_9f8e7d6c5b4a3"\n}\n',
    ),
    added(
        "security.terraform-secret-default",
        "variables.tf",
        'variable "secret_name" {',
        '  default = "prod/shop/database"',
        "}",
        fires=False,
    ),
    added(
        "security.terraform-secret-default",
        "variables.tf",
        'variable "db_password" {',
        '  default = "changeme-please"',
        "}",
        fires=False,
    ),
    added(
        "security.terraform-secret-default",
        "variables.tf",
        'variable "region" {',
        '  default = "eu-west-1-primary"',
        "}",
        fires=False,
    ),
    edited("security.secret-assignment", "rds.tf", '  password = "Sh0p-Prod-2024!xQ9"'),
    edited("security.secret-assignment", "rds.tf", "  password = var.db_password", fires=False),
    edited("security.sensitive-path", "src/theme/tokens.ts", "x = 1", fires=False),
    edited("security.sensitive-path", "src/styles/tokens/colors.ts", "x = 1", fires=False),
    edited("security.sensitive-path", "web/login.scss", ".form { }", fires=False),
    edited("security.sensitive-path", "src/api/tokens.ts", "x = 1"),
    edited("security.sensitive-path", "src/theme/auth/provider.ts", "x = 1"),
    edited(
        "security.sensitive-path",
        "internal/mail/templates/password_reset.txt.tmpl",
        "Follow this link to pick a new password.",
        fires=False,
    ),
    edited(
        "security.sensitive-path",
        "templates/registration/password_reset_subject.txt",
        "Reset your password",
        fires=False,
    ),
    edited("security.sensitive-path", "internal/auth/password_reset.go", "package auth"),
    edited("security.sensitive-path", "secrets.txt", "db: hunter2hunter2"),
    # ---------------------------------------------------------------- copy: comments, catalogs
    edited(
        "copy.templates",
        "templates/mail/welcome.gohtml",
        "{{- /* Free shipping */ -}}",
        fires=False,
    ),
    edited("copy.templates", "templates/mail/welcome.gohtml", "{{/* note */}} Welcome aboard"),
    edited(
        "copy.templates", "app/views/orders/show.html.erb", "<%# Your order shipped %>", fires=False
    ),
    edited("copy.templates", "templates/shop/cart.html", "{# Check out now #}", fires=False),
    Case(
        "copy.templates",
        "templates/mail/welcome.tmpl",
        ("{{- /*", "  Welcome copy lives in the CMS now.", "*/ -}}"),
        fires=False,
    ),
    Case(
        "copy.locale-catalog",
        "config/locales/en.yml",
        ('      checkout_button: "Pay now"',),
        removed=('      pay_button: "Pay now"',),
        fires=False,
    ),
    Case(
        "copy.locale-catalog",
        "config/locales/en.yml",
        ('      pay_button: "Pay today"',),
        removed=('      pay_button: "Pay now"',),
    ),
    Case(
        "copy.locale-catalog",
        "messages/en.json",
        ('    "headline": "Coffee roasted to order",',),
        removed=('    "headline": "Fresh coffee, roasted this week",',),
    ),
    Case(
        "copy.locale-catalog",
        "src/messages/pt-BR.json",
        ('    "title": "Carrinho",', '    "cta": "Comprar"'),
        removed=('    "cta": "Comprar"', '    "title": "Carrinho",'),
        fires=False,  # reordered
    ),
    Case(
        "copy.locale-catalog",
        "public/locales/de/common.json",
        ('  "checkoutButton": "Jetzt bezahlen"',),
        removed=('  "payButton": "Jetzt bezahlen"',),
        fires=False,
    ),
    Case(
        "copy.locale-catalog",
        "locale/fr/LC_MESSAGES/django.po",
        ('msgstr "Payer maintenant"',),
        removed=('msgstr "Payer"',),
    ),
    Case(  # the source text changed: the old translation goes fuzzy and unused
        "copy.locale-catalog",
        "locale/fr/LC_MESSAGES/django.po",
        ('msgid "Pay today"',),
        removed=('msgid "Pay now"',),
    ),
    Case(
        "copy.locale-catalog",
        "locale/fr/LC_MESSAGES/django.po",
        ('msgctxt "checkout"', "#: shop/views.py:42"),
        removed=('msgctxt "cart"', "#: shop/views.py:40"),
        fires=False,
    ),
    Case(
        "copy.locale-catalog",
        "src/main/resources/messages_fr.properties",
        ("checkout.button=Payer maintenant",),
        removed=("pay.button=Payer maintenant",),
        fires=False,
    ),
    Case(
        "copy.locale-catalog",
        "src/main/resources/messages_fr.properties",
        ("pay.button=Payer tout de suite",),
        removed=("pay.button=Payer maintenant",),
    ),
    Case(  # deleted text is changed text
        "copy.locale-catalog", "config/locales/en.yml", removed=('    banner: "Free returns"',)
    ),
    Case("copy.locale-catalog", "locale/fr/LC_MESSAGES/django.mo", status="modified"),
    edited("copy.locale-catalog", "messages/errors.json", '"title": "Shop"', fires=False),
    edited("copy.locale-catalog", "messages/my-feature.json", '"title": "Shop"', fires=False),
    edited("copy.locale-catalog", "src/messages/zh-Hans.json", '"title": "商店"'),
    # ---------------------------------------------------------------- vendor: chart dependencies
    Case(
        "vendor.new-dependency",
        "charts/api/Chart.yaml",
        ("dependencies:", "  - name: redis", "    version: 18.19.2"),
        old="apiVersion: v2\nname: api\nversion: 1.0.0\n",
        new="apiVersion: v2\nname: api\nversion: 1.0.0\ndependencies:\n  - name: redis\n"
        "    version: 18.19.2\n    repository: oci://registry-1.docker.io/bitnamicharts\n",
        start=4,
    ),
    Case(
        "vendor.new-dependency",
        "charts/api/Chart.yaml",
        ("    version: 18.20.0",),
        removed=("    version: 18.19.2",),
        old="apiVersion: v2\nname: api\ndependencies:\n  - name: redis\n    version: 18.19.2\n",
        new="apiVersion: v2\nname: api\ndependencies:\n  - name: redis\n    version: 18.20.0\n",
        start=5,
        fires=False,
    ),
    Case(
        "vendor.new-dependency",
        "charts/api/Chart.yaml",
        ("maintainers:", "  - name: jane"),
        old="apiVersion: v2\nname: api\n",
        new="apiVersion: v2\nname: api\nmaintainers:\n  - name: jane\n",
        start=3,
        fires=False,
    ),
)


def _rules_fired(case: Case) -> set[str]:
    detector = RiskDetector(builtin_rules())
    detector.add(case.change(), old_text=case.old, new_text=case.new)
    return {evidence.rule for detection in detector.detections() for evidence in detection.evidence}


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.rule}:{case.path}:{case.fires}")
def test_rule_fires_on_its_example_and_not_on_the_near_miss(case: Case) -> None:
    fired = _rules_fired(case)
    assert (case.rule in fired) is case.fires, fired


def test_every_builtin_rule_has_a_firing_example() -> None:
    covered = {case.rule for case in CASES if case.fires}
    covered |= {"architecture.new-top-level", "architecture.framework"}  # test_risk_detect.py
    missing = sorted(rule for rule, _, _ in rule_catalogue() if rule not in covered)
    assert missing == []


def test_rule_ids_are_unique_and_prefixed_with_their_category() -> None:
    catalogue = rule_catalogue()
    ids = [rule for rule, _, _ in catalogue]
    assert len(ids) == len(set(ids))
    for rule, category, description in catalogue:
        assert rule.startswith(f"{category}.")
        assert description
        assert "\n" not in description

#pragma once
/// @file
/// faltrain::webhooks — parse, verify (Ed25519 + JWKS) and accept fal's webhooks (link faltrain::webhooks).

#include <faltrain/webhooks/event.hpp>
#include <faltrain/webhooks/inbox.hpp>
#include <faltrain/webhooks/verifier.hpp>
#include <faltrain/webhooks/handler.hpp>
#include <faltrain/webhooks/job_token.hpp>

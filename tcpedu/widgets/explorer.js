// The stepping widget in the browser (an anywidget view of tcpedu.widgets.explorer).
//
// Python sends a "picture" (texts in the learner's language, states, what may be pressed), the
// ladder diagram and the state diagram; this file lays them out and sends every click back as
// a request carrying the version of the picture it was made on. Until Python has answered a
// click, further clicks are not sent: a double-click is one click. Nothing here knows TCP.

const PLAY_INTERVAL_MS = 1500;

function h(tag, attributes = {}, children = []) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") element.className = value;
    else if (key === "text") element.textContent = value;
    else if (key === "html") element.innerHTML = value;
    else if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else element.setAttribute(key, value);
  }
  for (const child of children) element.append(child);
  return element;
}

function render({ model, el }) {
  const root = h("div", { class: "tcpedu-explorer" });
  el.append(root);

  // Clicks: one at a time. A click waits for Python's answer (the version its picture will have).
  // Tokens are this view's own: the same widget may be shown twice, and Python answers all views.
  const viewId = Math.random().toString(36).slice(2);
  let clicks = 0;
  let pending = null; // {token, at, version}
  let playing = false;
  let playTimer = null;

  function picture() {
    return model.get("picture") || {};
  }

  function send(request, args = {}) {
    if (pending) return; // the picture this click was made on is about to change
    clicks += 1;
    const token = `${viewId}-${clicks}`;
    pending = { token, at: performance.now(), version: null };
    root.classList.add("tx-busy");
    root.setAttribute("aria-busy", "true");
    model.send({ request, seen: picture().version, token, arguments: args });
  }

  function option(name, value) {
    model.send({ option: name, value, token: null });
  }

  function settle() {
    // The answer has come and the picture is at (or past) the version it announced.
    if (!pending || pending.version === null || (picture().version ?? -1) < pending.version) return;
    const started = pending.at;
    pending = null;
    root.classList.remove("tx-busy");
    root.removeAttribute("aria-busy");
    requestAnimationFrame(() => {
      root.dataset.redrawMs = (performance.now() - started).toFixed(1);
      root.dataset.redraws = String(Number(root.dataset.redraws || 0) + 1);
    });
    if (playing) schedulePlay();
  }

  model.on("msg:custom", (message) => {
    if (pending && message.done === pending.token) {
      pending.version = message.version;
      settle();
    }
  });

  // ---------------------------------------------------------------------------------------
  // The skeleton, built once

  const title = h("span", { class: "tx-title" });
  const back = h("button", { class: "tx-button tcpedu-back", onclick: () => send("back") });
  const reset = h("button", { class: "tx-button tcpedu-reset", onclick: () => send("reset") });
  const step = h("button", { class: "tx-button tx-primary tcpedu-step", onclick: () => send("play") });
  const play = h("button", { class: "tx-button tcpedu-play", onclick: () => togglePlay() });
  const nextLine = h("span", { class: "tx-next-line" });
  const scenarioControls = h("span", { class: "tx-group tx-scenario" }, [step, play, nextLine]);
  const english = h("button", { class: "tx-button tx-toggle", text: "English", onclick: () => option("lang", "en") });
  const korean = h("button", { class: "tx-button tx-toggle", text: "한국어", onclick: () => option("lang", "ko") });
  const relativeBox = h("input", { type: "checkbox", class: "tcpedu-relative" });
  relativeBox.addEventListener("change", () => option("relative", relativeBox.checked));
  const relativeText = h("span");
  const relative = h("label", { class: "tx-check" }, [relativeBox, relativeText]);
  const detail = h("select", { class: "tcpedu-detail" });
  detail.addEventListener("change", () => option("detail", detail.value));
  const detailText = h("span");
  const detailLabel = h("label", { class: "tx-check" }, [detailText, detail]);
  const head = h("div", { class: "tx-head" }, [
    title,
    h("span", { class: "tx-group" }, [back, reset]),
    scenarioControls,
    h("span", { class: "tx-group tx-options" }, [english, korean]),
  ]);

  // The ladder, and at its foot the segments in flight and the clock.
  const ladder = h("div", { class: "tx-ladder tcpedu-ladder" });
  // Once the ladder's head has scrolled away, the lifelines' names stay at the top.
  const lifelineNames = { client: h("span", { class: "tx-lifeline-client" }), server: h("span", { class: "tx-lifeline-server" }) };
  const lifelines = h("div", { class: "tx-lifelines", "aria-hidden": "true" }, [lifelineNames.client, lifelineNames.server]);
  const scroller = h("div", { class: "tx-ladder-scroll" }, [lifelines, ladder]);
  const flightTitle = h("div", { class: "tx-band-title" });
  const flightRows = h("div", { class: "tx-flight-rows" });
  const deliverAll = h("button", { class: "tx-button tcpedu-deliver-all", onclick: () => send("deliver_all") });
  const clockText = h("span", { class: "tx-clock-text tcpedu-clock" });
  const fire = h("button", { class: "tx-button tcpedu-next-timer", onclick: () => send("wait_next") });
  const waitSeconds = h("input", { type: "number", min: "0", step: "any", value: "1", class: "tcpedu-wait-seconds" });
  const waitUnit = h("span");
  const wait = h("button", {
    class: "tx-button tcpedu-wait",
    onclick: () => send("wait", { seconds: waitSeconds.value || "0" }),
  });
  const clockButtons = h("span", { class: "tx-group tcpedu-clock-buttons" }, [fire, wait, waitSeconds, waitUnit, deliverAll]);
  const clock = h("div", { class: "tx-clock" }, [clockText, clockButtons]);
  // The band follows the ladder's last row, and sticks to the box's foot once the ladder is longer.
  const band = h("div", { class: "tx-band tcpedu-network" }, [flightTitle, flightRows, clock]);
  scroller.append(band);
  const ladderBox = h("div", { class: "tx-ladder-box" }, [scroller]);

  const sides = {};
  for (const side of ["client", "server"]) {
    const banner = h("div", { class: `tx-banner tcpedu-state-${side}` });
    const calls = h("div", { class: "tx-calls" });
    const refused = h("div", { class: `tx-refused tcpedu-refusals-${side}` });
    const size = h("input", { type: "number", min: "1", max: "1000000", value: "100", class: `tcpedu-send-size-${side}` });
    const panel = h("div", { class: `tx-side tx-${side}-panel tcpedu-panel-${side}` }, [banner, calls, refused]);
    sides[side] = { banner, calls, refused, size, panel, buttons: {} };
  }

  const happenedTitle = h("div", { class: "tx-section-title" });
  const happenedBody = h("div", { class: "tx-happened-body" });
  const happened = h("div", { class: "tx-happened tcpedu-message" }, [happenedTitle, happenedBody]);

  const main = h("div", { class: "tx-main" }, [ladderBox, sides.client.panel, happened, sides.server.panel]);

  const diagramTitle = h("span", { class: "tx-section-title" });
  const diagramSize = h("button", {
    class: "tx-button tx-small tcpedu-diagram-size",
    onclick: () => {
      diagramBox.classList.toggle("tx-actual");
      drawWords();
    },
  });
  const diagram = h("div", { class: "tx-diagram tcpedu-diagram" });
  const states = h("div", { class: "tx-states" });
  const diagramBox = h("div", { class: "tx-diagram-box" }, [
    h("div", { class: "tx-row" }, [diagramTitle, diagramSize, detailLabel, relative]),
    diagram,
    states,
  ]);
  const tcbTitle = h("div", { class: "tx-section-title" });
  const tcb = h("div", { class: "tx-tcb tcpedu-tcb" });
  const more = h("div", { class: "tx-more" }, [diagramBox, h("div", { class: "tx-tcb-box" }, [tcbTitle, tcb])]);

  root.append(head, main, more);

  // ---------------------------------------------------------------------------------------
  // Drawing

  function setText(element, text) {
    if (element.textContent !== text) element.textContent = text;
  }

  function setHTML(element, markup) {
    if (element.dataset.markup !== markup) {
      element.innerHTML = markup;
      element.dataset.markup = markup;
    }
  }

  function drawWords() {
    const words = picture().words || {};
    setText(diagramSize, diagramBox.classList.contains("tx-actual") ? words.fit_width : words.actual_size);
  }

  function callButton(side, call) {
    const button = h("button", { class: `tx-button tx-call tcpedu-call-${side}-${call}` });
    button.addEventListener("click", () => {
      const args = { side, call };
      if (call === "send") {
        const octets = Math.round(Number(sides[side].size.value));
        args.data = Number.isFinite(octets) ? Math.min(Math.max(octets, 1), 1000000) : 100;
        sides[side].size.value = String(args.data);
      }
      send("call", args);
    });
    return button;
  }

  function drawSide(side, shown) {
    const parts = sides[side];
    setHTML(
      parts.banner,
      `<span class="tx-side-name">${escape(shown.name)}</span> ` +
        `<span class="tx-state tcpedu-state" data-side="${side}" data-state="${shown.state}">${shown.state}</span>` +
        (shown.gloss ? ` <span class="tx-gloss">(${escape(shown.gloss)})</span>` : ""),
    );
    parts.banner.title = shown.describe;
    if (!parts.calls.childElementCount) {
      for (const call of shown.calls) {
        const button = callButton(side, call.call);
        parts.buttons[call.call] = button;
        if (call.call === "send") {
          parts.calls.append(h("span", { class: "tx-send" }, [button, parts.size]));
        } else {
          parts.calls.append(button);
        }
      }
    }
    for (const call of shown.calls) {
      const button = parts.buttons[call.call];
      const label = call.gloss
        ? `<span class="tx-name">${escape(call.name)}</span><span class="tx-sub">${escape(call.gloss)}</span>`
        : `<span class="tx-name">${escape(call.name)}</span>`;
      setHTML(button, label);
      button.disabled = !call.enabled;
      button.title = call.why;
    }
    parts.size.title = picture().words.octets;
    setHTML(parts.refused, shown.refused);
  }

  function drawFlight(shown) {
    const words = shown.words;
    // A capture is a recording: nothing in it to deliver, drop or wait for; its clock is shown.
    const recording = Boolean(shown.recording);
    flightTitle.hidden = recording;
    flightRows.hidden = recording;
    clockButtons.hidden = recording;
    setText(flightTitle, words.in_flight);
    const rows = shown.in_flight;
    const key = JSON.stringify([rows, words.deliver, words.drop, words.duplicate]);
    if (flightRows.dataset.key !== key) {
      flightRows.dataset.key = key;
      flightRows.replaceChildren();
      if (!rows.length) flightRows.append(h("div", { class: "tx-empty", text: words.empty }));
      for (const row of rows) {
        const arrow = row.from === "client" ? "→" : "←";
        const label = h("span", { class: `tx-segment-label tx-${row.from} tcpedu-packet`, "data-id": row.id }, [
          h("b", { text: `#${row.id} ${arrow}` }),
          ` ${row.segment}`,
          ...(row.note ? [h("small", { text: ` (${row.note})` })] : []),
        ]);
        const buttons = h("span", { class: "tx-group tx-segment-buttons" }, [
          h("button", {
            class: "tx-button tx-deliver tcpedu-deliver",
            text: words.deliver,
            onclick: () => send("deliver", { packet_id: row.id }),
          }),
          h("button", {
            class: "tx-button tx-drop tcpedu-drop",
            text: words.drop,
            onclick: () => send("drop", { packet_id: row.id }),
          }),
          h("button", {
            class: "tx-button tcpedu-duplicate",
            text: words.duplicate,
            onclick: () => send("duplicate", { packet_id: row.id }),
          }),
        ]);
        // The buttons sit on the receiver's side: deliver it *there*.
        const children = row.from === "client" ? [label, buttons] : [buttons, label];
        const line = h("div", { class: `tx-segment tx-from-${row.from} tcpedu-segment-row`, "data-id": row.id }, children);
        line.addEventListener("mouseenter", () => mark(row.id, true));
        line.addEventListener("mouseleave", () => mark(row.id, false));
        flightRows.append(line);
      }
    }
    setText(deliverAll, words.deliver_all);
    deliverAll.disabled = !rows.length;
    setHTML(clockText, `<b>${escape(shown.clock.now)}</b> · ${escape(shown.clock.next)}`);
    setText(fire, words.fire);
    fire.disabled = !shown.clock.can_fire;
    setText(wait, words.wait);
    setText(waitUnit, words.seconds);
  }

  function mark(id, on) {
    const arrow = ladder.querySelector(`g.segment[data-id="${id}"]`);
    if (arrow) arrow.classList.toggle("tx-hot", on);
  }

  function draw() {
    const shown = picture();
    if (!shown.words) return;
    const words = shown.words;
    root.dataset.version = shown.version;
    root.lang = shown.lang;
    setText(title, shown.title);
    setText(back, `◀ ${words.back}`);
    back.disabled = !shown.can_back;
    setText(reset, `↺ ${words.reset}`);
    english.classList.toggle("tx-on", shown.lang === "en");
    korean.classList.toggle("tx-on", shown.lang === "ko");
    relativeBox.checked = shown.relative;
    setText(relativeText, words.relative);
    setText(detailText, words.detail);
    const choices = JSON.stringify(shown.details);
    if (detail.dataset.choices !== choices) {
      detail.dataset.choices = choices;
      detail.replaceChildren(...shown.details.map(([value, text]) => h("option", { value, text })));
    }
    detail.value = shown.detail;

    const scenario = shown.scenario;
    scenarioControls.hidden = !scenario;
    if (scenario) {
      setText(step, `▶| ${words.step}`);
      step.disabled = scenario.next === null;
      play.disabled = scenario.next === null && !playing;
      setHTML(nextLine, scenario.text);
      if (scenario.next === null || !shown.ok) stopPlay();
    }
    setText(play, playing ? `❚❚ ${words.pause}` : `▶ ${words.play}`);

    for (const side of ["client", "server"]) {
      drawSide(side, shown.sides[side]);
      setText(lifelineNames[side], shown.sides[side].name);
    }
    drawFlight(shown);
    setText(happenedTitle, words.happened);
    setHTML(happenedBody, shown.happened);
    happened.classList.toggle("tx-failed", !shown.ok);
    setText(diagramTitle, words.diagram);
    setHTML(states, shown.states);
    setText(tcbTitle, words.tcb);
    setHTML(tcb, shown.tcb);
    drawWords();
    follow();
    settle();
  }

  function drawLadder() {
    setHTML(ladder, model.get("ladder") || "");
    following = true; // a new step: show it
    follow();
  }

  // Follow the newest step: the foot of the ladder is where the next thing happens. The learner
  // may scroll up to look back; the next step, or scrolling back down, follows again.
  let following = true;
  function follow() {
    if (following) scroller.scrollTop = scroller.scrollHeight;
  }
  scroller.addEventListener("scroll", () => {
    following = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 12;
    scroller.classList.toggle("tx-scrolled", scroller.scrollTop > 40);
  });
  new ResizeObserver(follow).observe(ladder);
  new ResizeObserver(follow).observe(band);
  new ResizeObserver(follow).observe(scroller);

  function drawDiagram() {
    setHTML(diagram, model.get("diagram") || "");
  }

  // ---------------------------------------------------------------------------------------
  // Playing the scenario: one step every PLAY_INTERVAL_MS, each sent once the last is drawn.

  function schedulePlay() {
    clearTimeout(playTimer);
    playTimer = setTimeout(() => {
      const scenario = picture().scenario;
      if (!playing || !scenario || scenario.next === null) return stopPlay();
      send("play");
    }, PLAY_INTERVAL_MS);
  }

  function togglePlay() {
    if (playing) return stopPlay();
    playing = true;
    draw();
    if (!pending) send("play");
  }

  function stopPlay() {
    if (!playing) return;
    playing = false;
    clearTimeout(playTimer);
    setText(play, `▶ ${picture().words.play}`);
    const scenario = picture().scenario;
    play.disabled = !scenario || scenario.next === null;
  }

  model.on("change:picture", draw);
  model.on("change:ladder", drawLadder);
  model.on("change:diagram", drawDiagram);
  draw();
  drawLadder();
  drawDiagram();
  return () => {
    playing = false;
    clearTimeout(playTimer);
  };
}

function escape(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

export default { render };

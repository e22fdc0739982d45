<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="pt_PT">
<context>
    <name>AboutDialog</name>
    <message>
        <source>not recorded in this build</source>
        <translation>não registada nesta versão</translation>
    </message>
    <message>
        <source>not stated</source>
        <translation>não indicada</translation>
    </message>
    <message>
        <source>The pinned versions cannot be read now: {error}</source>
        <translation>Não é possível ler agora as versões fixadas: {error}</translation>
    </message>
    <message>
        <source>No course has started yet, so no version is pinned.</source>
        <translation>Ainda não começou nenhum ciclo, por isso nenhuma versão está fixada.</translation>
    </message>
    <message>
        <source>version {version}</source>
        <translation>versão {version}</translation>
    </message>
    <message>
        <source>A desktop companion for clinics running ketamine-assisted psychotherapy: it supports clinical staff; it does not decide for them.</source>
        <translation>Um apoio de secretária para clínicas de psicoterapia assistida por cetamina: ajuda os profissionais clínicos; não decide por eles.</translation>
    </message>
    <message>
        <source>DEMO clinic – not for patient care.</source>
        <translation>Clínica de DEMONSTRAÇÃO – não usar no cuidado de doentes.</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Versão</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>Base de dados</translation>
    </message>
    <message>
        <source> (encrypted)</source>
        <translation> (cifrada)</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>Licença</translation>
    </message>
    <message>
        <source>Protocols loaded</source>
        <translation>Protocolos carregados</translation>
    </message>
    <message>
        <source>The presets new courses start on. Every alert names the protocol and version that raised it.</source>
        <translation>Os protocolos com que começam os novos ciclos. Cada alerta indica o protocolo e a versão que o gerou.</translation>
    </message>
    <message>
        <source>Pinned in this database</source>
        <translation>Fixados nesta base de dados</translation>
    </message>
    <message>
        <source>A course is judged for ever with the exact text of the version it started on.</source>
        <translation>Um ciclo é sempre avaliado com o texto exato da versão com que começou.</translation>
    </message>
    <message>
        <source>About kapdesk</source>
        <translation>Sobre o kapdesk</translation>
    </message>
</context>
<context>
    <name>Alert</name>
    <message>
        <source>{room}: {reading} reading is due</source>
        <translation>{room}: devida · {reading}</translation>
    </message>
    <message>
        <source>{room}: {reading} is due</source>
        <translation>{room}: devida · {reading}</translation>
    </message>
    <message>
        <source>{room}: {reading} reading is overdue</source>
        <translation>{room}: em atraso · {reading}</translation>
    </message>
    <message>
        <source>{room}: {reading} is overdue</source>
        <translation>{room}: em atraso · {reading}</translation>
    </message>
    <message>
        <source>{room}: {reading} reading is missed</source>
        <translation>{room}: falhada · {reading}</translation>
    </message>
    <message>
        <source>{room}: {reading} is missed</source>
        <translation>{room}: falhada · {reading}</translation>
    </message>
    <message>
        <source>{room}: {alert}: {detail}</source>
        <translation>{room}: {alert}: {detail}</translation>
    </message>
    <message>
        <source>{room}: {alert} at {time}: {detail}</source>
        <translation>{room}: {alert} às {time}: {detail}</translation>
    </message>
    <message>
        <source>{value} {band}</source>
        <translation>{value} ({band})</translation>
    </message>
</context>
<context>
    <name>AlertBanner</name>
    <message>
        <source>Record that you have seen this alert (audited).</source>
        <translation>Registar que viu este alerta (fica no registo de auditoria).</translation>
    </message>
    <message>
        <source>Only a clinician can acknowledge an alert reading; it stays until then or until a later reading is within limits.</source>
        <translation>Só um clínico pode registar conhecimento de uma medição de alerta; o alerta mantém-se até lá ou até uma medição posterior ficar dentro dos limites.</translation>
    </message>
    <message>
        <source>Alert</source>
        <translation>Alerta</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Abrir</translation>
    </message>
    <message>
        <source>Acknowledge</source>
        <translation>Registar conhecimento</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Ocultar</translation>
    </message>
    <message>
        <source>Open {alert}</source>
        <translation>Abrir {alert}</translation>
    </message>
    <message>
        <source>Dismiss {alert}</source>
        <translation>Ocultar {alert}</translation>
    </message>
    <message>
        <source>Acknowledge {alert}</source>
        <translation>Registar conhecimento de {alert}</translation>
    </message>
</context>
<context>
    <name>AlertSlot</name>
    <message>
        <source>No alerts.</source>
        <translation>Sem alertas.</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>Alertas</translation>
    </message>
</context>
<context>
    <name>BoardModel</name>
    <message>
        <source>Room</source>
        <translation>Sala</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Doente</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>Protocolo</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Since dose</source>
        <translation>Desde a dose</translation>
    </message>
    <message>
        <source>Next reading</source>
        <translation>Próxima medição</translation>
    </message>
    <message>
        <source>Flags</source>
        <translation>Avisos</translation>
    </message>
    <message>
        <source>No room</source>
        <translation>Sem sala</translation>
    </message>
    <message>
        <source>Room {room}</source>
        <translation>Sala {room}</translation>
    </message>
    <message>
        <source>after check-in · {reading}</source>
        <translation>após a admissão · {reading}</translation>
    </message>
    <message>
        <source>due in {time} · {reading}</source>
        <translation>devida daqui a {time} · {reading}</translation>
    </message>
    <message>
        <source>due now · {reading}</source>
        <translation>devida agora · {reading}</translation>
    </message>
    <message>
        <source>due now, closes in {time} · {reading}</source>
        <translation>devida agora, fecha daqui a {time} · {reading}</translation>
    </message>
    <message>
        <source>overdue {time} · {reading}</source>
        <translation>em atraso há {time} · {reading}</translation>
    </message>
    <message>
        <source>{reading} missed</source>
        <translation>{reading}: falhada</translation>
    </message>
    <message>
        <source>{band} {value} at {time}: {rule}, {protocol}</source>
        <translation>{band} {value} às {time}: {rule}, {protocol}</translation>
    </message>
    <message>
        <source>{patient}, MRN {mrn}</source>
        <translation>{patient}, n.º processo {mrn}</translation>
    </message>
    <message>
        <source>{reading}: from {time}</source>
        <translation>{reading}: a partir das {time}</translation>
    </message>
</context>
<context>
    <name>BoardStore</name>
    <message>
        <source>The board query has not come back for {seconds} s (the database does not answer); the rows shown may be old.</source>
        <translation>A leitura do quadro não responde há {seconds} s (a base de dados não responde); as linhas mostradas podem estar desatualizadas.</translation>
    </message>
    <message>
        <source>The board could not be read (details in the log); trying again every second.</source>
        <translation>Não foi possível ler o quadro (detalhes no ficheiro de registo); nova tentativa a cada segundo.</translation>
    </message>
</context>
<context>
    <name>Counted</name>
    <message numerus="yes">
        <source>%n readings missed</source>
        <translation>
            <numerusform>%n medição falhada</numerusform>
            <numerusform>%n medições falhadas</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n more due</source>
        <translation>
            <numerusform>mais %n devida</numerusform>
            <numerusform>mais %n devidas</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n patients are in monitoring ({who}). Quit anyway?</source>
        <translation>
            <numerusform>%n doente está em monitorização ({who}). Sair mesmo assim?</numerusform>
            <numerusform>%n doentes estão em monitorização ({who}). Sair mesmo assim?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n courses</source>
        <translation>
            <numerusform>%n ciclo</numerusform>
            <numerusform>%n ciclos</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DemoBuildWindow</name>
    <message>
        <source>Creating the demo clinic (first use only; it takes less than a minute)…</source>
        <translation>A criar a clínica de demonstração (só na primeira utilização; demora menos de um minuto)…</translation>
    </message>
    <message>
        <source>Rebuilding the demo clinic around today (it takes less than a minute)…</source>
        <translation>A refazer a clínica de demonstração à volta de hoje (demora menos de um minuto)…</translation>
    </message>
    <message>
        <source>Demo clinic</source>
        <translation>Clínica de demonstração</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>A começar…</translation>
    </message>
    <message>
        <source>The demo clinic was made for {day}. Rebuild it around today?</source>
        <translation>A clínica de demonstração foi feita para {day}. Refazê-la à volta de hoje?</translation>
    </message>
    <message>
        <source>Rebuilding replaces the demo&apos;s patients and sessions with new ones around today; it takes less than a minute and keeps the current one as {file} (replacing any earlier copy there). Keep opens it as it is.</source>
        <translation>Refazer substitui os doentes e as sessões da demonstração por novos, à volta de hoje; demora menos de um minuto e guarda a atual como {file} (substituindo qualquer cópia anterior). Manter abre-a tal como está.</translation>
    </message>
    <message>
        <source>&amp;Rebuild</source>
        <translation>&amp;Refazer</translation>
    </message>
    <message>
        <source>&amp;Keep</source>
        <translation>&amp;Manter</translation>
    </message>
    <message>
        <source>The demo clinic was made for {day} and has {added} added since then, so it is not rebuilt around today.</source>
        <translation>A clínica de demonstração foi feita para {day} e tem {added} acrescentados desde então, por isso não é refeita à volta de hoje.</translation>
    </message>
    <message>
        <source>It looks like real use of {file}. Keep opens it as it is. Copy what you need, or make a new demo clinic in another file with kapdesk demo --db NEWPATH.</source>
        <translation>Parece uso real de {file}. Manter abre-a tal como está. Copie o que precisar, ou crie uma nova clínica de demonstração noutro ficheiro com kapdesk demo --db NOVOCAMINHO.</translation>
    </message>
    <message>
        <source>Loading the demo generator</source>
        <translation>A carregar o gerador da demonstração</translation>
    </message>
    <message>
        <source>The demo clinic could not be created: {why}. Any earlier demo clinic was left as it was; details are in the log.</source>
        <translation>Não foi possível criar a clínica de demonstração: {why}. Uma clínica de demonstração anterior ficou como estava; os detalhes estão no ficheiro de registo.</translation>
    </message>
    <message>
        <source>The demo clinic could not be rebuilt: {why}. Any earlier demo clinic was left as it was; details are in the log.</source>
        <translation>Não foi possível refazer a clínica de demonstração: {why}. Uma clínica de demonstração anterior ficou como estava; os detalhes estão no ficheiro de registo.</translation>
    </message>
</context>
<context>
    <name>ErrorBox</name>
    <message>
        <source>What you were entering just now was not saved.</source>
        <translation>O que estava a introduzir não foi guardado.</translation>
    </message>
    <message>
        <source>A file could not be read or written: {why} ({file}).</source>
        <translation>Não foi possível ler ou escrever um ficheiro: {why} ({file}).</translation>
    </message>
    <message>
        <source>A file could not be read or written: {why}.</source>
        <translation>Não foi possível ler ou escrever um ficheiro: {why}.</translation>
    </message>
    <message>
        <source>Something went wrong and this step did not finish.</source>
        <translation>Algo correu mal e este passo não terminou.</translation>
    </message>
    <message>
        <source>Something went wrong and this step did not finish; details in the log: {log}.</source>
        <translation>Algo correu mal e este passo não terminou; detalhes no ficheiro de registo: {log}.</translation>
    </message>
</context>
<context>
    <name>ErrorReporter</name>
    <message>
        <source>{error}

(The details in the log: {log}.)</source>
        <translation>{error}

(Os detalhes estão no ficheiro de registo: {log}.)</translation>
    </message>
    <message>
        <source>Something went wrong; nothing after {time} was saved; details in the log: {log}.

Everything confirmed until then is kept. If it happens again, restart kapdesk and tell whoever looks after it.</source>
        <translation>Algo correu mal; nada depois das {time} foi guardado; detalhes no ficheiro de registo: {log}.

Tudo o que foi confirmado até essa hora está guardado. Se voltar a acontecer, reinicie o kapdesk e avise quem dá assistência ao programa.</translation>
    </message>
</context>
<context>
    <name>ExitBackupWindow</name>
    <message>
        <source>Closing</source>
        <translation>A fechar</translation>
    </message>
    <message>
        <source>Saving the backup before kapdesk closes… ({size})</source>
        <translation>A guardar a cópia de segurança antes de o kapdesk fechar… ({size})</translation>
    </message>
    <message>
        <source>Saving the backup before kapdesk closes…</source>
        <translation>A guardar a cópia de segurança antes de o kapdesk fechar…</translation>
    </message>
    <message>
        <source>Backup on exit</source>
        <translation>Cópia de segurança à saída</translation>
    </message>
    <message>
        <source>Backup progress</source>
        <translation>Progresso da cópia de segurança</translation>
    </message>
    <message>
        <source>Everything you recorded is saved in the database already; this is the extra copy kapdesk keeps. Closing this window leaves that copy out.</source>
        <translation>Tudo o que registou já está guardado na base de dados; esta é a cópia extra que o kapdesk mantém. Fechar esta janela deixa essa cópia por fazer.</translation>
    </message>
    <message>
        <source>Backup saved {time}, {file}</source>
        <translation>Cópia de segurança guardada às {time}, {file}</translation>
    </message>
    <message>
        <source>kapdesk closes now.</source>
        <translation>O kapdesk vai fechar.</translation>
    </message>
    <message>
        <source>The backup on exit could not be made: {error}</source>
        <translation>Não foi possível fazer a cópia de segurança à saída: {error}</translation>
    </message>
    <message>
        <source>Everything you recorded is saved in the database; only this extra copy is missing. kapdesk makes the next one when it is due (daily), or use File &gt; Back up now.</source>
        <translation>Tudo o que registou está guardado na base de dados; só falta esta cópia extra. O kapdesk faz a próxima quando for devida (diariamente), ou use Ficheiro &gt; Fazer cópia de segurança agora.</translation>
    </message>
    <message>
        <source>Leaving out the backup…</source>
        <translation>A deixar a cópia de segurança por fazer…</translation>
    </message>
</context>
<context>
    <name>Field</name>
    <message>
        <source>{field} error</source>
        <translation>Erro em {field}</translation>
    </message>
</context>
<context>
    <name>FirstAdminDialog</name>
    <message>
        <source>Create the first administrator</source>
        <translation>Criar o primeiro administrador</translation>
    </message>
    <message>
        <source>This clinic database has no staff accounts yet. Create the administrator account now; add nurses, therapists and clinicians afterwards.</source>
        <translation>Esta base de dados da clínica ainda não tem contas de profissionais. Crie agora a conta de administrador; acrescente depois enfermeiros, terapeutas e médicos.</translation>
    </message>
    <message>
        <source>&amp;Username</source>
        <translation>&amp;Utilizador</translation>
    </message>
    <message>
        <source>&amp;Full name</source>
        <translation>Nome &amp;completo</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>&amp;Palavra-passe</translation>
    </message>
    <message>
        <source>&amp;Repeat password</source>
        <translation>&amp;Repetir palavra-passe</translation>
    </message>
    <message>
        <source>Clinic &amp;name</source>
        <translation>&amp;Nome da clínica</translation>
    </message>
    <message>
        <source>optional, e.g. Harbour Ketamine Clinic</source>
        <translation>opcional, p. ex. Clínica de Cetamina do Porto</translation>
    </message>
    <message>
        <source>&amp;Create administrator</source>
        <translation>&amp;Criar administrador</translation>
    </message>
    <message>
        <source>Repeat password does not match Password; type it again.</source>
        <translation>A palavra-passe repetida não coincide com a palavra-passe; escreva-a de novo.</translation>
    </message>
</context>
<context>
    <name>HandoverActions</name>
    <message>
        <source>&amp;Handover…</source>
        <translation>&amp;Passagem de turno…</translation>
    </message>
    <message>
        <source>Open sessions, readings missed today, unsigned sessions and notes</source>
        <translation>Sessões abertas, medições falhadas hoje, sessões e notas por assinar</translation>
    </message>
</context>
<context>
    <name>HandoverWindow</name>
    <message>
        <source>Draft</source>
        <translation>Rascunho</translation>
    </message>
    <message>
        <source>Final</source>
        <translation>Final</translation>
    </message>
    <message>
        <source>Handover</source>
        <translation>Passagem de turno</translation>
    </message>
    <message>
        <source>Double-click or press Enter to open   ·   F5: read again</source>
        <translation>Duplo clique ou Enter para abrir   ·   F5: ler de novo</translation>
    </message>
    <message>
        <source>Handover message</source>
        <translation>Mensagem da passagem de turno</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Doente</translation>
    </message>
    <message>
        <source>MRN</source>
        <translation>N.º processo</translation>
    </message>
    <message>
        <source>Open sessions</source>
        <translation>Sessões abertas</translation>
    </message>
    <message>
        <source>Room</source>
        <translation>Sala</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>Desde</translation>
    </message>
    <message>
        <source>No open sessions.</source>
        <translation>Nenhuma sessão aberta.</translation>
    </message>
    <message>
        <source>Readings missed today</source>
        <translation>Medições falhadas hoje</translation>
    </message>
    <message>
        <source>Reading</source>
        <translation>Medição</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Devida</translation>
    </message>
    <message>
        <source>No readings missed today.</source>
        <translation>Nenhuma medição falhada hoje.</translation>
    </message>
    <message>
        <source>Unsigned sessions</source>
        <translation>Sessões por assinar</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Sessão</translation>
    </message>
    <message>
        <source>Ended</source>
        <translation>Terminou</translation>
    </message>
    <message>
        <source>Discharged by</source>
        <translation>Alta dada por</translation>
    </message>
    <message>
        <source>No unsigned sessions.</source>
        <translation>Nenhuma sessão por assinar.</translation>
    </message>
    <message>
        <source>Unsigned integration notes</source>
        <translation>Notas de integração por assinar</translation>
    </message>
    <message>
        <source>Held</source>
        <translation>Realizada</translation>
    </message>
    <message>
        <source>Author</source>
        <translation>Autor</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>No unsigned integration notes.</source>
        <translation>Nenhuma nota de integração por assinar.</translation>
    </message>
    <message>
        <source>&amp;Read again</source>
        <translation>&amp;Ler de novo</translation>
    </message>
    <message>
        <source>Read the handover again (F5)</source>
        <translation>Ler de novo a passagem de turno (F5)</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fechar</translation>
    </message>
    <message>
        <source>Close the handover (Esc)</source>
        <translation>Fechar a passagem de turno (Esc)</translation>
    </message>
    <message>
        <source>Read the handover again</source>
        <translation>Ler de novo a passagem de turno</translation>
    </message>
    <message>
        <source>Close the handover</source>
        <translation>Fechar a passagem de turno</translation>
    </message>
    <message>
        <source>The handover could not be read: {error}</source>
        <translation>Não foi possível ler a passagem de turno: {error}</translation>
    </message>
    <message>
        <source>{day}, as at {time}</source>
        <translation>{day}, às {time}</translation>
    </message>
    <message>
        <source>How many only: patients, readings and notes are for clinical staff.</source>
        <translation>Só as contagens: doentes, medições e notas são para os profissionais clínicos.</translation>
    </message>
    <message>
        <source>by {time}</source>
        <translation>até às {time}</translation>
    </message>
    <message>
        <source>from {time}</source>
        <translation>a partir das {time}</translation>
    </message>
</context>
<context>
    <name>HelpActions</name>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Atalhos de teclado</translation>
    </message>
    <message>
        <source>&amp;User guide</source>
        <translation>&amp;Guia do utilizador</translation>
    </message>
    <message>
        <source>&amp;About kapdesk</source>
        <translation>&amp;Sobre o kapdesk</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>Aj&amp;uda</translation>
    </message>
</context>
<context>
    <name>InstanceServer</name>
    <message>
        <source>Already open</source>
        <translation>Já aberto</translation>
    </message>
    <message>
        <source>kapdesk is already open on this database:
{file}</source>
        <translation>O kapdesk já está aberto nesta base de dados:
{file}</translation>
    </message>
    <message>
        <source>Only one kapdesk window can use a database file at a time.</source>
        <translation>Só uma janela do kapdesk pode usar um ficheiro de base de dados de cada vez.</translation>
    </message>
    <message>
        <source>&amp;Bring it to the front</source>
        <translation>&amp;Trazer para a frente</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>&amp;Fechar</translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <source>{room}: a reading is due</source>
        <translation>{room}: medição devida</translation>
    </message>
    <message>
        <source>{room}: a reading is overdue</source>
        <translation>{room}: medição em atraso</translation>
    </message>
    <message>
        <source>{room}: a reading is missed</source>
        <translation>{room}: medição falhada</translation>
    </message>
    <message>
        <source>{room}: a reading is alert</source>
        <translation>{room}: medição de alerta</translation>
    </message>
    <message>
        <source>{room}: a reading is critical</source>
        <translation>{room}: medição crítica</translation>
    </message>
    <message>
        <source>Lock screen</source>
        <translation>Ecrã de bloqueio</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>Bloqueado</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Palavra-passe</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>&amp;Palavra-passe</translation>
    </message>
    <message>
        <source>Unlock message</source>
        <translation>Mensagem de desbloqueio</translation>
    </message>
    <message>
        <source>Sign in as &amp;someone else…</source>
        <translation>Iniciar sessão como &amp;outra pessoa…</translation>
    </message>
    <message>
        <source>&amp;Unlock</source>
        <translation>&amp;Desbloquear</translation>
    </message>
    <message>
        <source>Readings due</source>
        <translation>Medições devidas</translation>
    </message>
    <message>
        <source>Readings due while locked</source>
        <translation>Medições devidas durante o bloqueio</translation>
    </message>
    <message>
        <source>Locked – {name} ({role})</source>
        <translation>Bloqueado – {name} ({role})</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>Sign-in message</source>
        <translation>Mensagem de início de sessão</translation>
    </message>
    <message>
        <source>Sign in to {clinic}.</source>
        <translation>Iniciar sessão em {clinic}.</translation>
    </message>
    <message>
        <source> This is the DEMO clinic: not for patient care.</source>
        <translation> Esta é a clínica de DEMONSTRAÇÃO: não serve para cuidar de doentes.</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Iniciar sessão</translation>
    </message>
    <message>
        <source>&amp;Username</source>
        <translation>&amp;Utilizador</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>&amp;Palavra-passe</translation>
    </message>
    <message>
        <source>&amp;Sign in</source>
        <translation>&amp;Iniciar sessão</translation>
    </message>
    <message>
        <source>Enter your username.</source>
        <translation>Escreva o seu nome de utilizador.</translation>
    </message>
    <message>
        <source>Your password was not changed, so you are not signed in.</source>
        <translation>A sua palavra-passe não foi alterada, pelo que não tem sessão iniciada.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Today</source>
        <translation>Hoje</translation>
    </message>
    <message>
        <source>Patients</source>
        <translation>Doentes</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Sessão</translation>
    </message>
    <message>
        <source>&amp;Today</source>
        <translation>&amp;Hoje</translation>
    </message>
    <message>
        <source>&amp;Patients</source>
        <translation>&amp;Doentes</translation>
    </message>
    <message>
        <source>&amp;Session</source>
        <translation>&amp;Sessão</translation>
    </message>
    <message>
        <source>Re&amp;cords</source>
        <translation>Re&amp;gistos</translation>
    </message>
    <message>
        <source>&amp;Admin</source>
        <translation>&amp;Administração</translation>
    </message>
    <message>
        <source>Navigation</source>
        <translation>Navegação</translation>
    </message>
    <message>
        <source>Signed in</source>
        <translation>Sessão iniciada</translation>
    </message>
    <message>
        <source>DEMO clinic – not for patient care</source>
        <translation>Clínica de DEMONSTRAÇÃO – não usar no cuidado de doentes</translation>
    </message>
    <message>
        <source>Switch &amp;user…</source>
        <translation>Mudar de &amp;utilizador…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Sair</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Ficheiro</translation>
    </message>
    <message>
        <source>&amp;Print summary…</source>
        <translation>&amp;Imprimir resumo…</translation>
    </message>
    <message>
        <source>Save as P&amp;DF…</source>
        <translation>Guardar como P&amp;DF…</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>&amp;Ir</translation>
    </message>
    <message>
        <source>&amp;Audit log…</source>
        <translation>Registo de &amp;auditoria…</translation>
    </message>
    <message>
        <source>&amp;Cohort outcomes…</source>
        <translation>Resultados da &amp;coorte…</translation>
    </message>
    <message>
        <source>&amp;Users…</source>
        <translation>&amp;Utilizadores…</translation>
    </message>
    <message>
        <source>Open a session or a chart.</source>
        <translation>Abra uma sessão ou uma ficha de doente.</translation>
    </message>
    <message>
        <source>clinic</source>
        <translation>clínica</translation>
    </message>
    <message>
        <source>Signed in: nobody</source>
        <translation>Sessão iniciada: ninguém</translation>
    </message>
    <message>
        <source>Signed in: {name} ({role})</source>
        <translation>Sessão iniciada: {name} ({role})</translation>
    </message>
    <message>
        <source>Switch user</source>
        <translation>Mudar de utilizador</translation>
    </message>
    <message>
        <source>{name} is now signed in.</source>
        <translation>{name} iniciou sessão.</translation>
    </message>
    <message>
        <source>Sign in again</source>
        <translation>Iniciar sessão de novo</translation>
    </message>
</context>
<context>
    <name>QPlatformTheme</name>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fechar</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Guardar</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Descartar</translation>
    </message>
    <message>
        <source>Don&apos;t Save</source>
        <translation>Não guardar</translation>
    </message>
    <message>
        <source>Close without Saving</source>
        <translation>Fechar sem guardar</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>Aplicar</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>Repor</translation>
    </message>
    <message>
        <source>Restore Defaults</source>
        <translation>Repor predefinições</translation>
    </message>
    <message>
        <source>Help</source>
        <translation>Ajuda</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Abrir</translation>
    </message>
    <message>
        <source>&amp;Yes</source>
        <translation>&amp;Sim</translation>
    </message>
    <message>
        <source>&amp;No</source>
        <translation>&amp;Não</translation>
    </message>
    <message>
        <source>Abort</source>
        <translation>Abortar</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Tentar de novo</translation>
    </message>
    <message>
        <source>Ignore</source>
        <translation>Ignorar</translation>
    </message>
</context>
<context>
    <name>QuickVitalsDialog</name>
    <message>
        <source>Record vitals</source>
        <translation>Registar sinais vitais</translation>
    </message>
    <message>
        <source>&amp;Record reading</source>
        <translation>&amp;Registar medição</translation>
    </message>
    <message>
        <source>vitals</source>
        <translation>sinais vitais</translation>
    </message>
    <message>
        <source>upcoming</source>
        <translation>por vir</translation>
    </message>
    <message>
        <source>due</source>
        <translation>devida</translation>
    </message>
    <message>
        <source>overdue</source>
        <translation>em atraso</translation>
    </message>
    <message>
        <source>done</source>
        <translation>feita</translation>
    </message>
    <message>
        <source>missed</source>
        <translation>falhada</translation>
    </message>
    <message>
        <source>{who} is not checked in yet: open the session (Enter) and check the patient in first, then press V.</source>
        <translation>{who} ainda não tem admissão: abra a sessão (Enter), faça primeiro a admissão do doente e depois prima V.</translation>
    </message>
    <message>
        <source>{who}: the session is {state} and takes no more readings.</source>
        <translation>{who}: a sessão está no estado «{state}» e já não aceita medições.</translation>
    </message>
    <message>
        <source>due {time}</source>
        <translation>devida às {time}</translation>
    </message>
    <message>
        <source>due now</source>
        <translation>devida agora</translation>
    </message>
    <message>
        <source>due now, until {time}</source>
        <translation>devida agora, até às {time}</translation>
    </message>
    <message>
        <source>overdue since {time}</source>
        <translation>em atraso desde as {time}</translation>
    </message>
    <message>
        <source>an extra reading (none due)</source>
        <translation>uma medição extra (nenhuma devida)</translation>
    </message>
    <message>
        <source>Reading for {patient} · {room} · {reading}</source>
        <translation>Medição de {patient} · {room} · {reading}</translation>
    </message>
</context>
<context>
    <name>QuitQuestion</name>
    <message>
        <source>Sign in to quit kapdesk.</source>
        <translation>Inicie sessão para sair do kapdesk.</translation>
    </message>
    <message>
        <source>Quit kapdesk</source>
        <translation>Sair do kapdesk</translation>
    </message>
    <message>
        <source>Their readings and alerts are not watched while kapdesk is closed.</source>
        <translation>As medições e os alertas destes doentes não são vigiados enquanto o kapdesk estiver fechado.</translation>
    </message>
    <message>
        <source>&amp;Quit anyway</source>
        <translation>&amp;Sair mesmo assim</translation>
    </message>
    <message>
        <source>&amp;Keep kapdesk open</source>
        <translation>&amp;Manter o kapdesk aberto</translation>
    </message>
</context>
<context>
    <name>ScreenLock</name>
    <message>
        <source>&amp;Lock screen</source>
        <translation>&amp;Bloquear ecrã</translation>
    </message>
    <message>
        <source>Hide patient data until you sign in again ({keys})</source>
        <translation>Ocultar os dados dos doentes até voltar a iniciar sessão ({keys})</translation>
    </message>
    <message>
        <source>Locked at {time}. Patient data stays hidden until you sign in.</source>
        <translation>Bloqueado às {time}. Os dados dos doentes ficam ocultos até iniciar sessão.</translation>
    </message>
    <message numerus="yes">
        <source>Locked at {time} after %n minutes without activity. Patient data stays hidden until you sign in.</source>
        <translation>
            <numerusform>Bloqueado às {time} após %n minuto sem atividade. Os dados dos doentes ficam ocultos até iniciar sessão.</numerusform>
            <numerusform>Bloqueado às {time} após %n minutos sem atividade. Os dados dos doentes ficam ocultos até iniciar sessão.</numerusform>
        </translation>
    </message>
    <message>
        <source>Sign in as someone else</source>
        <translation>Iniciar sessão como outra pessoa</translation>
    </message>
    <message>
        <source>{name} is now signed in.</source>
        <translation>{name} iniciou sessão.</translation>
    </message>
    <message>
        <source>clinic</source>
        <translation>clínica</translation>
    </message>
</context>
<context>
    <name>Section</name>
    <message numerus="yes">
        <source>The newest %n are listed.</source>
        <translation>
            <numerusform>Está listado o mais recente.</numerusform>
            <numerusform>Estão listados os %n mais recentes.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ServerStatus</name>
    <message>
        <source>Clinic server unreachable since {time}: nothing since then is saved.</source>
        <translation>Servidor da clínica inacessível desde as {time}: nada desde então fica guardado.</translation>
    </message>
    <message>
        <source>Clinic server back at {time}.</source>
        <translation>Servidor da clínica de volta às {time}.</translation>
    </message>
    <message>
        <source>Clinic server</source>
        <translation>Servidor da clínica</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Everywhere in the main window</source>
        <translation>Em toda a janela principal</translation>
    </message>
    <message>
        <source>{menu} menu</source>
        <translation>Menu {menu}</translation>
    </message>
    <message>
        <source>Patients</source>
        <translation>Doentes</translation>
    </message>
    <message>
        <source>Session (the guided steps)</source>
        <translation>Sessão (os passos guiados)</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Atalhos de teclado</translation>
    </message>
    <message>
        <source>In lists and forms</source>
        <translation>Em listas e formulários</translation>
    </message>
    <message>
        <source>Enter opens the selected row (a session on the Today board, a patient, a chart&apos;s session); Tab moves to the next field; Esc closes a dialog; Alt + an underlined letter presses that button or goes to that field.</source>
        <translation>Enter abre a linha selecionada (uma sessão no quadro de hoje, um doente, uma sessão da ficha); Tab passa ao campo seguinte; Esc fecha uma caixa de diálogo; Alt + uma letra sublinhada carrega nesse botão ou vai para esse campo.</translation>
    </message>
    <message>
        <source>Not opened yet, so not listed: {pages}. Their keys appear here once they have been opened.</source>
        <translation>Ainda não abertos, por isso não listados: {pages}. As suas teclas aparecem aqui depois de abertos.</translation>
    </message>
</context>
<context>
    <name>StaleBanner</name>
    <message>
        <source>Alerts are not updating</source>
        <translation>Os alertas não estão a ser atualizados</translation>
    </message>
    <message>
        <source>Alerts are not updating (since {time}): the board cannot be read, so new due and alert readings are not shown. Check running sessions by hand until this is gone.</source>
        <translation>Os alertas não estão a ser atualizados (desde as {time}): o quadro não pode ser lido, por isso não aparecem novas medições devidas nem de alerta. Verifique à mão as sessões em curso até este aviso desaparecer.</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <source>The demo clinic generator is not available in this build.</source>
        <translation>O gerador da clínica de demonstração não está disponível nesta versão.</translation>
    </message>
</context>
<context>
    <name>StoreChoiceDialog</name>
    <message>
        <source>Where does this workstation keep the clinic&apos;s records?</source>
        <translation>Onde guarda este posto de trabalho os registos da clínica?</translation>
    </message>
    <message>
        <source>Encrypted, the server verified (verify-full): recommended</source>
        <translation>Cifrada, com o servidor verificado (verify-full): recomendado</translation>
    </message>
    <message>
        <source>Encrypted, the server NOT verified (require)</source>
        <translation>Cifrada, com o servidor NÃO verificado (require)</translation>
    </message>
    <message>
        <source>Not encrypted (disable)</source>
        <translation>Não cifrada (disable)</translation>
    </message>
    <message>
        <source>The connection is encrypted, but kapdesk cannot tell the clinic&apos;s server from an impostor on the network. Use verify-full with the clinic&apos;s CA file if you can.</source>
        <translation>A ligação é cifrada, mas o kapdesk não consegue distinguir o servidor da clínica de um impostor na rede. Se puder, use verify-full com o ficheiro da AC da clínica.</translation>
    </message>
    <message>
        <source>Without encryption, patient records and the password cross the network as plain text. Only for a server on this same computer, or a test.</source>
        <translation>Sem cifra, os registos dos doentes e a palavra-passe atravessam a rede em texto simples. Só para um servidor neste mesmo computador, ou para um teste.</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>Servidor</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Porta</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>Base de dados</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Utilizador</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Palavra-passe</translation>
    </message>
    <message>
        <source>TLS</source>
        <translation>TLS</translation>
    </message>
    <message>
        <source>CA file</source>
        <translation>Ficheiro da AC</translation>
    </message>
    <message>
        <source>Clinic records – kapdesk</source>
        <translation>Registos da clínica – kapdesk</translation>
    </message>
    <message>
        <source>This workstation only</source>
        <translation>Só este posto de trabalho</translation>
    </message>
    <message>
        <source>One file on this computer ({file}): a clinic with one workstation.</source>
        <translation>Um ficheiro neste computador ({file}): uma clínica com um só posto de trabalho.</translation>
    </message>
    <message>
        <source>The clinic&apos;s server</source>
        <translation>O servidor da clínica</translation>
    </message>
    <message>
        <source>A PostgreSQL server on the clinic&apos;s network, shared by every workstation (set up once by the clinic&apos;s IT with kapdesk server init).</source>
        <translation>Um servidor PostgreSQL na rede da clínica, partilhado por todos os postos de trabalho (configurado uma vez pela informática da clínica com kapdesk server init).</translation>
    </message>
    <message>
        <source>the clinic&apos;s CA certificate, e.g. clinic-ca.pem</source>
        <translation>o certificado da AC da clínica, p. ex. clinica-ac.pem</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Escolher…</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Testar ligação</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Continuar</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Sair</translation>
    </message>
    <message>
        <source>The clinic&apos;s CA certificate</source>
        <translation>O certificado da AC da clínica</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt *.cer);;All (*)</source>
        <translation>Certificados (*.pem *.crt *.cer);;Todos (*)</translation>
    </message>
    <message>
        <source>Testing…</source>
        <translation>A testar…</translation>
    </message>
    <message>
        <source>Connecting to {host}:{port}…</source>
        <translation>A ligar a {host}:{port}…</translation>
    </message>
    <message>
        <source>The test connection failed: {kind}: {error}</source>
        <translation>O teste de ligação falhou: {kind}: {error}</translation>
    </message>
    <message>
        <source>User or password</source>
        <translation>Utilizador ou palavra-passe</translation>
    </message>
</context>
<context>
    <name>TodayBoard</name>
    <message>
        <source>{a_role} cannot open a session: sessions and charts are for clinical staff.</source>
        <translation>{a_role} não pode abrir sessões: as sessões e as fichas dos doentes são para os profissionais clínicos.</translation>
    </message>
    <message>
        <source>{a_role} cannot record vital signs: readings are for clinical staff.</source>
        <translation>{a_role} não pode registar sinais vitais: as medições são para os profissionais clínicos.</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Hoje</translation>
    </message>
    <message>
        <source>Enter: open session   ·   V: record vitals</source>
        <translation>Enter: abrir sessão   ·   V: registar sinais vitais</translation>
    </message>
    <message>
        <source>Today&apos;s sessions</source>
        <translation>Sessões de hoje</translation>
    </message>
    <message>
        <source>No sessions scheduled today.</source>
        <translation>Não há sessões marcadas para hoje.</translation>
    </message>
    <message>
        <source>Board status</source>
        <translation>Estado do quadro</translation>
    </message>
    <message>
        <source>&amp;Acknowledge alert</source>
        <translation>&amp;Registar conhecimento do alerta</translation>
    </message>
    <message>
        <source>Acknowledge alert</source>
        <translation>Registar conhecimento do alerta</translation>
    </message>
    <message>
        <source>A clinician records having seen the selected session&apos;s alert reading (audited).</source>
        <translation>Um clínico regista que viu a medição de alerta da sessão selecionada (fica no registo de auditoria).</translation>
    </message>
    <message>
        <source>Record vital signs for the selected session</source>
        <translation>Registar sinais vitais da sessão selecionada</translation>
    </message>
    <message>
        <source>The board could not be refreshed: {error}</source>
        <translation>Não foi possível atualizar o quadro: {error}</translation>
    </message>
    <message>
        <source>The selected session has no alert reading to acknowledge.</source>
        <translation>A sessão selecionada não tem nenhuma medição de alerta para registar conhecimento.</translation>
    </message>
    <message>
        <source>{room} – {patient}: alert {value} acknowledged by {who} at {time}.</source>
        <translation>{room} – {patient}: conhecimento do alerta {value} registado por {who} às {time}.</translation>
    </message>
    <message>
        <source>Select a session first, then press V to record vitals.</source>
        <translation>Selecione primeiro uma sessão e depois prima V para registar sinais vitais.</translation>
    </message>
    <message>
        <source>BP {systolic}/{diastolic}</source>
        <translation>TA {systolic}/{diastolic}</translation>
    </message>
    <message>
        <source>, pulse {pulse}/min</source>
        <translation>, pulso {pulse}/min</translation>
    </message>
    <message>
        <source>, SpO2 {spo2} %</source>
        <translation>, SpO2 {spo2} %</translation>
    </message>
    <message>
        <source>{room} – {patient}: {values} at {time}: {summary}</source>
        <translation>{room} – {patient}: {values} às {time}: {summary}</translation>
    </message>
    <message>
        <source> Dosing is on hold until a clinician records an override.</source>
        <translation> A administração está suspensa até um clínico registar uma autorização de exceção.</translation>
    </message>
</context>
<context>
    <name>UserGuideDialog</name>
    <message>
        <source>User guide</source>
        <translation>Guia do utilizador</translation>
    </message>
    <message>
        <source>For the {role}</source>
        <translation>Para o {role}</translation>
    </message>
    <message>
        <source>&amp;Guide</source>
        <translation>&amp;Guia</translation>
    </message>
    <message>
        <source>Guide for</source>
        <translation>Guia para</translation>
    </message>
</context>
<context>
    <name>WindowTitle</name>
    <message>
        <source>DEMO</source>
        <translation>DEMONSTRAÇÃO</translation>
    </message>
</context>
<context>
    <name>Words</name>
    <message>
        <source>nurse</source>
        <translation>enfermeiro</translation>
    </message>
    <message>
        <source>therapist</source>
        <translation>terapeuta</translation>
    </message>
    <message>
        <source>clinician</source>
        <translation>clínico</translation>
    </message>
    <message>
        <source>admin</source>
        <translation>administrador</translation>
    </message>
    <message>
        <source>A nurse</source>
        <translation>Um enfermeiro</translation>
    </message>
    <message>
        <source>A therapist</source>
        <translation>Um terapeuta</translation>
    </message>
    <message>
        <source>A clinician</source>
        <translation>Um clínico</translation>
    </message>
    <message>
        <source>An admin</source>
        <translation>Um administrador</translation>
    </message>
    <message>
        <source>normal</source>
        <translation>normal</translation>
    </message>
    <message>
        <source>elevated</source>
        <translation>elevado</translation>
    </message>
    <message>
        <source>alert</source>
        <translation>alerta</translation>
    </message>
    <message>
        <source>critical</source>
        <translation>crítico</translation>
    </message>
</context>
</TS>
